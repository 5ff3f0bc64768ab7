package main

func listTodos(w http.ResponseWriter, r *http.Request) {
	var out []Todo
	for _, t := range store {
		out = append(out, t)
	}
	writeJSON(w, out)
}
