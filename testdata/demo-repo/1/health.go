package main

import (
	"encoding/json"
	"net/http"
)

// health reports that the server is up and which build it runs.
func health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"status": "ok", "version": version})
}
