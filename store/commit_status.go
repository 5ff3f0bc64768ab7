package store

import (
	"context"
	"database/sql"
	"fmt"
)

// AllCommitStatuses maps each commit of repo that has a record to its status
// (CommitAnnotated or CommitNoAI): which commits were weighed, and which of
// them had no AI involvement, whether or not a note says so.
func (db *DB) AllCommitStatuses(ctx context.Context, repo string) (map[string]string, error) {
	out := map[string]string{}
	err := db.each(ctx, `SELECT sha, status FROM commits WHERE repo = ?`, []any{repo}, func(r *sql.Rows) error {
		var sha, status string
		err := r.Scan(&sha, &status)
		out[sha] = status
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("commit statuses: %w", err)
	}
	return out, nil
}
