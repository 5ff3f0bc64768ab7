package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
)

// ReleaseSource is where a release's notes come from: the range's commits
// in the repository, their notes (with a remote's fetched ones), and, when
// there is one, the database that annotated them.
type ReleaseSource struct {
	Repo         *gitlog.Repo
	Notes        *gitlog.NoteReader
	Commits      []gitlog.Hash // the range, oldest first
	Since, Until time.Time     // zero: no bound
	DB           *store.DB     // nil: notes alone
	RepoKey      string        // the repository's key in DB
}

// GatherRelease reads the notes of the range's commits made in the time
// window, says when commits without a note here may have one in a remote's
// notes not fetched, and adds what the database knows: the sessions the
// notes name (titles, versions, pull requests) and which commits it
// annotated. The caller sets Range.
func GatherRelease(ctx context.Context, src ReleaseSource) (ReleaseInput, error) {
	var in ReleaseInput
	var missing []gitlog.Hash // commits without a note here
	for _, h := range src.Commits {
		c, err := src.Repo.Commit(h)
		if err != nil {
			return in, err
		}
		when := c.Committer.When
		if !src.Since.IsZero() && when.Before(src.Since) || !src.Until.IsZero() && when.After(src.Until) {
			continue
		}
		note, ok, _, err := src.Notes.Read(h)
		if err != nil {
			return in, err
		}
		if !ok {
			missing = append(missing, h)
		}
		subject, _, _ := strings.Cut(strings.TrimSpace(c.Message), "\n")
		in.Commits = append(in.Commits, CommitNote{SHA: h.String(), Subject: subject, Time: when, Note: note.Text})
	}
	gaps, err := src.Notes.Gaps(missing)
	if err != nil {
		return in, err
	}
	if len(gaps) > 0 {
		var all []gitlog.NotesGap
		for _, h := range missing {
			all = append(all, gaps[h]...)
		}
		verb := "have"
		if len(gaps) == 1 {
			verb = "has"
		}
		in.Warnings = append(in.Warnings, fmt.Sprintf("%s of the range %s no note here, but a remote's notes may: %s",
			Plural(len(gaps), "commit"), verb, gitlog.GapsHint(all)))
	}
	if src.DB == nil {
		return in, nil
	}
	in.Database = true
	var refs []store.SessionRef
	seen := map[string]bool{}
	var shas []string
	for _, c := range in.Commits {
		shas = append(shas, c.SHA)
		for _, rec := range ReadNotes(c.Note) {
			for _, p := range rec.Prompts {
				if r := (store.SessionRef{Agent: p.Agent, ID: p.Session}); !seen[r.Key()] {
					seen[r.Key()] = true
					refs = append(refs, r)
				}
			}
		}
	}
	if in.Sessions, in.Links, err = src.DB.SessionsByRef(ctx, refs); err != nil {
		return in, err
	}
	in.Recorded, err = src.DB.CommitStatuses(ctx, src.RepoKey, shas)
	return in, err
}
