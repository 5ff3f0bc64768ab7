package ingest

import (
	"github.com/aitrail/aitrail/ingest/aider"
	"github.com/aitrail/aitrail/ingest/claude"
	"github.com/aitrail/aitrail/ingest/codex"
	"github.com/aitrail/aitrail/ingest/copilot"
	"github.com/aitrail/aitrail/ingest/cursor"
	"github.com/aitrail/aitrail/ingest/gemini"
	"github.com/aitrail/aitrail/ingest/opencode"
	"github.com/aitrail/aitrail/ingest/vscode"
)

// Agents returns the agents aitrail can ingest. A new agent is one
// subpackage and one entry here.
func Agents() []Agent {
	return []Agent{
		{
			Name:     "codex",
			Dirs:     codex.Dirs,
			HomeDirs: codex.HomeDirs,
			Match:    codex.Match,
			Whole:    codex.Whole,
			Near:     codex.Near,
			New:      func(path string, state []byte) (Decoder, error) { return codex.New(path, state) },
		},
		{
			Name:     "claude",
			Dirs:     claude.Dirs,
			HomeDirs: claude.HomeDirs,
			Match:    claude.Match,
			Whole:    claude.Whole,
			Near:     claude.Near,
			New:      func(path string, state []byte) (Decoder, error) { return claude.New(path, state) },
		},
		{
			Name:     "gemini",
			Dirs:     gemini.Dirs,
			HomeDirs: gemini.HomeDirs,
			Match:    gemini.Match,
			Whole:    gemini.Whole,
			Replay:   gemini.Replay,
			Sidecars: gemini.Sidecars,
			New:      func(path string, state []byte) (Decoder, error) { return gemini.New(path, state) },
		},
		{
			Name:     "copilot",
			Dirs:     copilot.Dirs,
			HomeDirs: copilot.HomeDirs,
			Match:    copilot.Match,
			Whole:    copilot.Whole,
			New:      func(path string, state []byte) (Decoder, error) { return copilot.New(path, state) },
		},
		{
			Name:     "vscode",
			Dirs:     vscode.Dirs,
			HomeDirs: vscode.HomeDirs,
			Match:    vscode.Match,
			Whole:    vscode.Whole,
			Replay:   vscode.Replay,
			Sidecars: vscode.Sidecars,
			New:      func(path string, state []byte) (Decoder, error) { return vscode.New(path, state) },
		},
		{
			Name:        "cursor",
			Dirs:        cursor.Dirs,
			HomeDirs:    cursor.HomeDirs,
			Match:       cursor.Match,
			Collections: cursor.Collections,
			New:         func(path string, state []byte) (Decoder, error) { return cursor.New(path, state) },
		},
		{
			Name:   "aider",
			Dirs:   aider.Dirs,
			Match:  aider.Match,
			InRepo: aider.InRepo,
			New:    func(path string, state []byte) (Decoder, error) { return aider.New(path, state) },
		},
		{
			Name:        "opencode",
			Dirs:        opencode.Dirs,
			HomeDirs:    opencode.HomeDirs,
			Match:       opencode.Match,
			Collections: opencode.Collections,
			New:         func(path string, state []byte) (Decoder, error) { return opencode.New(path, state) },
		},
	}
}

// Names returns the names of the agents.
func Names() []string {
	var out []string
	for _, a := range Agents() {
		out = append(out, a.Name)
	}
	return out
}
