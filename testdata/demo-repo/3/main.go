package main

import (
	"log"
	"net/http"
	"os"
)

var version = "dev"

func main() {
	dsn := os.Getenv("DATABASE_URL")
	if dsn == "" {
		log.Fatal("DATABASE_URL is not set")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/todos", listTodos)
	mux.HandleFunc("/health", health)
	log.Fatal(http.ListenAndServe(":8080", mux))
}
