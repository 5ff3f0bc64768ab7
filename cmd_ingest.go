package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/ingest"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/report"
)

func ingestCommand() command {
	return command{
		name: "ingest", usage: "[options]",
		summary: "read new agent log lines into the database",
		long: `Reads the session logs of every supported agent (Codex CLI, Claude Code,
Gemini CLI, Copilot CLI, VS Code Copilot Chat, Cursor, Aider, OpenCode) into the
database. Only what was written since the last run is read: a re-run with
nothing new takes milliseconds. Every line and every text field is redacted
before it is stored. A malformed line is reported as path:line: reason and
skipped; a log that cannot be read (permissions, removed meanwhile) as
path: reason; skipped. The run goes on, and warnings alone exit 0. A line
longer than ingest.max_line (16 MiB) is stored cut, and counted as malformed.

Logs are found where the agents write them: $CODEX_HOME or ~/.codex for Codex
(sessions/ and archived_sessions/), $CLAUDE_CONFIG_DIR (a comma-separated
list) or ~/.config/claude and ~/.claude for Claude Code (projects/);
$GEMINI_DATA_DIR, else ~/.gemini/tmp for Gemini CLI; $COPILOT_HOME or
~/.copilot for Copilot CLI (session-state/, history-session-state/); the VS
Code user directories' workspaceStorage/ for VS Code Copilot Chat;
~/.cursor/projects and Cursor's global state.vscdb; .aider.chat.history.md in
this repository and the config's repos; $OPENCODE_DATA_DIR or
~/.local/share/opencode (opencode.db, storage/). docs/agents.md has the
details. --source AGENT:PATH, or the config file's sources, replace that
discovery.`,
		new: func() options { return &ingestOptions{} },
	}
}

type ingestOptions struct {
	rebuild bool
	json    bool
	quiet   bool
}

func (o *ingestOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.rebuild, "rebuild", false, "re-read every log from the start, replacing what was read before")
	fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors")
}

func (o *ingestOptions) args(args []string) error {
	if len(args) > 0 {
		return usagef("ingest takes no arguments (use --source AGENT:PATH to name logs)")
	}
	return nil
}

func (o *ingestOptions) run(e *env) error {
	start := e.now()
	files, err := e.logFiles(nil)
	if err != nil {
		return err
	}
	db, eng, err := e.openRedacting(true)
	if err != nil {
		return err
	}
	defer db.Close()
	f, err := e.config()
	if err != nil {
		return err
	}
	bar := e.io.bar(!o.quiet && !o.json)
	var warnings int
	opt := ingest.Options{
		Rebuild:  o.rebuild,
		Home:     e.home,
		MaxLine:  f.Ingest.MaxLine,
		Progress: bar.update,
		Warn: func(msg string) {
			warnings++
			if !o.quiet && warnings <= 50 {
				bar.clear()
				msg, _ = eng.Text(redact.ScopeField, msg) // paths name the home directory
				fmt.Fprintln(e.io.err, "warning:", msg)
			}
		},
	}
	sum, err := ingest.Run(e.ctx, db, eng, files, opt)
	bar.clear()
	if err != nil {
		return err
	}
	if warnings > 50 && !o.quiet {
		fmt.Fprintf(e.io.err, "warning: %d more warnings not shown\n", warnings-50)
	}
	if o.json {
		return writeJSON(e.io.out, sum)
	}
	if o.quiet {
		return nil
	}
	if sum.Files == 0 {
		fmt.Fprintf(e.io.out, "no agent logs found; looked in:\n")
		for _, d := range e.searched() {
			fmt.Fprintf(e.io.out, "  %s\n", d)
		}
		fmt.Fprintln(e.io.out, "Name other places with --source AGENT:PATH or the config file's sources.")
		return nil
	}
	fmt.Fprintf(e.io.out, "ingested %d of %d log files (%s) in %s: %s\n",
		sum.FilesRead, sum.Files, humanBytes(sum.Bytes), e.now().Sub(start).Round(time.Millisecond), newRecords(sum))
	if sum.BadLines > 0 {
		fmt.Fprintf(e.io.out, "malformed lines: %d (skipped, listed above)\n", sum.BadLines)
	}
	if sum.Skipped > 0 {
		fmt.Fprintf(e.io.out, "logs that could not be read: %d (skipped, listed above)\n", sum.Skipped)
	}
	if sum.UnknownLines > 0 {
		fmt.Fprintf(e.io.out, "unknown record types: %s (kept raw)\n", countList(sum.Unknown))
	}
	if len(sum.Redactions) > 0 {
		fmt.Fprintf(e.io.out, "redacted: %s\n", countList(sum.Redactions))
	}
	return nil
}

// newRecords says what a run added: the sessions that received records,
// and the rows new to the database (a rebuild, which reads records stored
// before, adds none; a log that restates its totals updates them).
func newRecords(sum *ingest.Summary) string {
	if sum.Sessions == 0 {
		return "nothing new"
	}
	if sum.Prompts+sum.ToolCalls+sum.Edits+sum.Usage == 0 {
		// Records stored before, read again (a rebuild), or updated in
		// place (a log that restates its totals).
		return report.Plural(sum.Sessions, "session") + ", no new records"
	}
	return report.Plural(sum.Sessions, "session") + "; new: " + strings.Join([]string{
		report.Plural(sum.Prompts, "prompt"), report.Plural(sum.ToolCalls, "tool call"),
		report.Plural(sum.Edits, "file edit"), tokenEntries(sum.Usage)}, ", ")
}

func tokenEntries(n int) string {
	if n == 1 {
		return "1 token entry"
	}
	return report.Thousands(int64(n)) + " token entries"
}

// searched lists where discovery looked for logs, as "agent: place" with
// the home directory written ~.
func (e *env) searched() []string {
	srcs, err := e.sourceList()
	if err != nil {
		return nil
	}
	places, err := ingest.Places(ingest.Agents(), srcs, e.getenv, e.home)
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range places {
		path := p.Path
		if rel, err := filepath.Rel(e.home, path); err == nil && e.home != "" && filepath.IsLocal(rel) {
			path = "~/" + filepath.ToSlash(rel)
		}
		out = append(out, p.Agent.Name+": "+path)
	}
	return out
}
