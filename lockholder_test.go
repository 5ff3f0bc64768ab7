package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/aitrail/aitrail/store"
)

// holdLock is the testscript program "holdlock DB LOCKED RELEASE": another
// process holding the database's write lock. It takes the lock (BEGIN
// IMMEDIATE), creates the file LOCKED, holds the lock until the file
// RELEASE exists, and then lets go. It fails when it cannot take the lock,
// or when nobody tells it to let go within a minute: a script that hangs
// shows as a failure rather than a timeout.
func holdLock(args []string) int {
	if len(args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: holdlock DB LOCKED RELEASE")
		return 2
	}
	db, err := sql.Open("sqlite", store.FileURI(args[0])+"?_pragma=busy_timeout(10000)")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		fmt.Fprintln(os.Stderr, "take the write lock:", err)
		return 1
	}
	if err := os.WriteFile(args[1], nil, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for end := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(args[2]); err == nil {
			break
		}
		if time.Now().After(end) {
			fmt.Fprintln(os.Stderr, "holdlock: not told to let go within a minute")
			return 1
		}
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("held the write lock until told to let go")
	return 0
}
