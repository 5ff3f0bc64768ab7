package main

func listTodos(w http.ResponseWriter, r *http.Request) {
	var out []Todo
	for _, t := range store {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	writeJSON(w, out)
}
