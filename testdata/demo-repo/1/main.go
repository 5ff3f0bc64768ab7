package main

import (
	"log"
	"net/http"
	"os"
)

var version = "dev"

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/todos", listTodos)
	mux.HandleFunc("/health", health)
	log.Fatal(http.ListenAndServe(":8080", mux))
}
