package copilot

import (
	"encoding/json"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/fileedit"
	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// editArgs are the arguments of Copilot CLI's file tools: edit{path,
// old_str, new_str}, create{path, file_text}, the legacy
// str_replace_editor{command, path, old_str, new_str, file_text}, and the
// Claude-style names of later versions.
type editArgs struct {
	Command   string `json:"command"`
	Path      string `json:"path"`
	FilePath  string `json:"file_path"`
	OldStr    string `json:"old_str"`
	NewStr    string `json:"new_str"`
	FileText  string `json:"file_text"`
	OldString string `json:"old_string"`
	NewString string `json:"new_string"`
	Content   string `json:"content"`
}

func parseArgs(raw json.RawMessage) editArgs {
	var a editArgs
	if raw = object(raw); lenient.Kind(raw) == '{' {
		_ = lenient.Unmarshal(raw, &a)
	}
	return a
}

// isEdit reports whether a call changes files. str_replace_editor views
// files too, and its result then holds a "diff" of the file viewed: only
// its create, str_replace and insert commands are edits.
func isEdit(name string, a editArgs) bool {
	switch name {
	case "edit", "create", "apply_patch", "write", "Edit", "Write", "MultiEdit":
		return true
	case "str_replace_editor", "str_replace_based_edit_tool":
		return a.Command == "create" || a.Command == "str_replace" || a.Command == "insert"
	}
	return false
}

// argPath is the file a single-file edit names, absolute against cwd; ""
// for apply_patch, whose patch names its files.
func argPath(a editArgs, cwd string) string {
	p := a.Path
	if p == "" {
		p = a.FilePath
	}
	return canon.Join(cwd, p)
}

// argsEdit is the edit a call asks for, from its arguments alone: what is
// known until its result (which holds the applied diff) comes. Snippet
// replacements are numbered from line 1 of the snippet.
func argsEdit(name string, a editArgs, cwd string) (store.FileEdit, bool) {
	abs := argPath(a, cwd)
	if abs == "" || name == "apply_patch" {
		return store.FileEdit{}, false
	}
	rel := canon.Rel(cwd, abs)
	fe := store.FileEdit{Path: abs, Op: store.OpUpdate, Source: "args", Status: store.EditApplied}
	var d fileedit.Diff
	switch {
	case name == "create" || a.Command == "create":
		d, fe.Op = fileedit.Added(rel, a.FileText, true), store.OpAdd
	case name == "Write" || name == "write":
		d = fileedit.Added(rel, firstOf(a.Content, a.FileText), false)
	case a.Command == "insert":
		d = fileedit.Added(rel, a.NewStr, false)
	default:
		d = fileedit.Snippets(rel, [2]string{firstOf(a.OldStr, a.OldString), firstOf(a.NewStr, a.NewString)})
	}
	fe.Diff, fe.Added, fe.Removed = d.Text, d.Added, d.Removed
	return fe, true
}

// diffEdits are the edits a result's diff shows (Copilot logs a git-style
// diff whose paths are the absolute paths without their leading "/").
// path, when known from the arguments, names the file of a single-file
// diff.
func diffEdits(diff, path, cwd string) []store.FileEdit {
	files := fileedit.Parse(diff)
	var out []store.FileEdit
	for _, f := range files {
		abs := path
		if abs == "" || len(files) > 1 {
			abs = diffPath(firstOf(f.NewPath, f.OldPath))
		}
		if abs == "" {
			continue
		}
		d := f.Diff(canon.Rel(cwd, abs))
		fe := store.FileEdit{Path: abs, Op: store.OpUpdate, Source: "detailedContent", Status: store.EditApplied,
			Diff: d.Text, Added: d.Added, Removed: d.Removed}
		switch {
		case f.Created:
			fe.Op = store.OpAdd
		case f.Deleted:
			fe.Op = store.OpDelete
		}
		out = append(out, fe)
	}
	return out
}

// diffPath turns a path of a diff header back into the file's path:
// Copilot's diffs name absolute paths without their leading "/".
func diffPath(p string) string {
	if p == "" || canon.IsAbs(p) {
		return canon.Join("", p)
	}
	return canon.Join("", "/"+p)
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
