package report

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aitrail/aitrail/repofile"
)

// Fragment tools: the release-notes tools aitrail writes fragments for.
const (
	ToolChangie    = "changie"
	ToolTowncrier  = "towncrier"
	ToolChangesets = "changesets"
	ToolReno       = "reno"
)

// FragmentTools lists the tools, in the order help shows them.
var FragmentTools = []string{ToolChangie, ToolTowncrier, ToolChangesets, ToolReno}

// ErrFragmentConfig is returned when a repository's configuration of its
// release tool cannot take aitrail's fragment (no such kind, no such
// package, no configuration at all); the message says what to change.
var ErrFragmentConfig = errors.New("release tool configuration")

// FragmentOptions choose what a fragment says and where it goes.
type FragmentOptions struct {
	Tool string
	// PerCommit writes one fragment per AI-assisted commit instead of one
	// for the range.
	PerCommit bool
	// Kind is the changie kind, the towncrier type or the reno section; ""
	// picks the one configured for AI assistance (or reno's "other").
	Kind string
	// Component and Project are changie's; Custom its custom values.
	Component, Project string
	Custom             map[string]string
	// Packages are changesets' "name" or "name:bump" (default bump patch);
	// none gives an empty changeset.
	Packages []string
}

// Fragment is one file to write, relative to the repository root.
type Fragment struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

// Fragments renders the fragments of a release for the release tool
// configured in the repository at root. A range without AI assistance
// gives none.
func Fragments(root string, r *Release, o FragmentOptions) ([]Fragment, error) {
	var items []fragmentItem
	if o.PerCommit {
		for i := range r.Entries {
			e := &r.Entries[i]
			if e.Replays != nil {
				continue // the commit it replays has the fragment
			}
			items = append(items, fragmentItem{id: short7(e.SHA), text: commitFragmentText(e), when: e.Time, seed: e.SHA})
		}
	} else if r.AICommits > 0 {
		id := r.Span()
		items = append(items, fragmentItem{id: strings.ReplaceAll(id, "..", "-"), text: rangeFragmentText(r), when: r.Tip(), seed: r.Range + "\x00" + id})
	}
	if len(items) == 0 {
		return nil, nil
	}
	var out []Fragment
	var err error
	switch o.Tool {
	case ToolChangie:
		out, err = changieFragments(root, items, o)
	case ToolTowncrier:
		out, err = towncrierFragments(root, items, o)
	case ToolChangesets:
		out, err = changesetFragments(root, items, o)
	case ToolReno:
		out, err = renoFragments(root, items, o)
	default:
		return nil, fmt.Errorf("unknown release tool %q (want %s)", o.Tool, strings.Join(FragmentTools, ", "))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

// fragmentItem is the content of one fragment before a tool shapes it.
type fragmentItem struct {
	id   string // short commit name(s), for file names
	text string // one paragraph of plain text, valid Markdown and RST
	when time.Time
	seed string // what a derived unique id is derived from
}

// uid16 derives a 16-hex-digit id from seed, so that writing the same
// fragment twice names the same file.
func uid16(seed string) string {
	sum := sha256.Sum256([]byte("aitrail-fragment\x00" + seed))
	return hex.EncodeToString(sum[:8])
}

func rangeFragmentText(r *Release) string {
	s := fmt.Sprintf("AI assistance: %s took part in %d of %s and wrote %s of the %s added there (%s), using %s tokens",
		r.AgentNames(), r.AICommits, Plural(r.Commits, "commit"), Thousands(int64(r.AI)), Plural(r.Added, "line"),
		percent(r.AI, r.Added), Thousands(r.Tokens.Total))
	if r.CostUSD > 0 {
		s += fmt.Sprintf(" (estimated cost %s)", USD(r.CostUSD))
	}
	return s + fmt.Sprintf(". Each commit's note has the details: git log --notes=aitrail %s.", r.LogRange())
}

func commitFragmentText(e *ReleaseCommit) string {
	s := fmt.Sprintf("AI assistance in %s (%s): %s wrote %s of the %s (%s) from %s, using %s tokens",
		short7(e.SHA), plainText(e.Subject), strings.Join(e.Agents, "; "), Thousands(int64(e.AI)), Plural(e.Added, "added line"),
		percent(e.AI, e.Added), Plural(len(e.Prompts), "prompt"), Thousands(e.Tokens.Total))
	if e.CostUSD != nil && *e.CostUSD > 0 {
		s += fmt.Sprintf(" (estimated cost %s)", USD(*e.CostUSD))
	}
	return s + "."
}

// plainText keeps a commit subject from carrying markup into a fragment.
func plainText(s string) string {
	return strings.NewReplacer("`", "'", "*", "", "_", " ", "<", "(", ">", ")", "\n", " ").Replace(s)
}

// readOptional reads a configuration file of the work tree at root, which
// may be absent. Whoever can push to the repository chooses what it is:
// it is read only when it is a regular file inside the repository of at
// most 1 MiB (repofile.Read).
func readOptional(root, rel string) ([]byte, bool, error) {
	b, err := repofile.Read(root, filepath.ToSlash(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// configErr is an ErrFragmentConfig with its explanation.
func configErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFragmentConfig, fmt.Sprintf(format, args...))
}

// pickKind resolves the kind asked for, or the configured one meant for AI
// assistance, among the configured keys; names are what people see.
func pickKind(asked string, keys, names []string) (string, bool) {
	for i, k := range keys {
		if asked != "" && (k == asked || names[i] == asked) {
			return k, true
		}
	}
	if asked != "" {
		return "", false
	}
	for i, k := range keys {
		for _, want := range []string{"ai", "ai assistance", "ai-assistance", "ai_assistance"} {
			if strings.EqualFold(k, want) || strings.EqualFold(names[i], want) {
				return k, true
			}
		}
	}
	return "", false
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
