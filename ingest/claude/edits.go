package claude

import (
	"encoding/json"
	"strings"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/fileedit"
	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// editTools are the tools whose calls edit one file.
var editTools = map[string]bool{"Edit": true, "MultiEdit": true, "Write": true, "NotebookEdit": true}

// editInput is the input of Edit, MultiEdit, Write and NotebookEdit.
type editInput struct {
	FilePath     string `json:"file_path"`
	NotebookPath string `json:"notebook_path"`
	OldString    string `json:"old_string"`
	NewString    string `json:"new_string"`
	Content      string `json:"content"`
	NewSource    string `json:"new_source"`
	EditMode     string `json:"edit_mode"`
	Edits        []struct {
		OldString string `json:"old_string"`
		NewString string `json:"new_string"`
	} `json:"edits"`
}

// inputEdit is the FileEdit a tool call asks for, computed from its input
// alone: Edit and MultiEdit diff old_string against new_string, each
// replacement a hunk numbered from line 1 of its own snippet (where in the
// file it lands is unknown until structuredPatch comes); Write adds its
// content as a whole (the file it replaces is unknown); NotebookEdit adds
// the cell's new source. Source is "tool_use".
func inputEdit(name string, input json.RawMessage, cwd string) (store.FileEdit, bool) {
	if !editTools[name] || lenient.Kind(input) != '{' {
		return store.FileEdit{}, false
	}
	var in editInput
	if lenient.Unmarshal(input, &in) != nil {
		return store.FileEdit{}, false
	}
	p := in.FilePath
	if name == "NotebookEdit" {
		p = in.NotebookPath
	}
	if p == "" {
		return store.FileEdit{}, false
	}
	abs := canon.Join(cwd, p)
	fe := store.FileEdit{Path: abs, Op: store.OpUpdate, Source: "tool_use", Status: store.EditApplied}
	var b strings.Builder
	diffHeaders(&b, cwd, abs, false)
	head := b.Len()
	switch name {
	case "Edit":
		fe.Added, fe.Removed = fileedit.Hunks(&b, in.OldString, in.NewString)
	case "MultiEdit":
		for _, e := range in.Edits {
			a, r := fileedit.Hunks(&b, e.OldString, e.NewString)
			fe.Added += a
			fe.Removed += r
		}
	case "Write":
		fe.Added = allAdded(&b, in.Content, false)
	case "NotebookEdit":
		if in.EditMode != "delete" {
			fe.Added = allAdded(&b, in.NewSource, false)
		}
	}
	if b.Len() > head {
		fe.Diff = b.String()
	}
	return fe, true
}

// editResult is the toolUseResult of an edit tool.
type editResult struct {
	Type            string          `json:"type"`
	Content         json.RawMessage `json:"content"`
	StructuredPatch json.RawMessage `json:"structuredPatch"`
}

// resultEdit is the FileEdit an edit tool reports applied: a Write that
// created its file (toolUseResult.type "create") adds all its content;
// otherwise toolUseResult.structuredPatch gives the real hunks. Its key
// (session, call, path) is the one inputEdit gave, so it replaces that
// record. userModified (the user changed the proposal before accepting it)
// needs nothing: structuredPatch is what was applied.
func resultEdit(pc pendingCall, raw json.RawMessage) (store.FileEdit, bool) {
	var r editResult
	if lenient.Unmarshal(raw, &r) != nil {
		return store.FileEdit{}, false
	}
	fe := store.FileEdit{Prompt: pc.Prompt, CallID: pc.ID, Path: pc.Path, Op: store.OpUpdate, Status: store.EditApplied}
	var b strings.Builder
	switch {
	case pc.Name == "Write" && r.Type == "create":
		content, _ := str(r.Content)
		diffHeaders(&b, pc.Cwd, pc.Path, true)
		fe.Added = allAdded(&b, content, true)
		fe.Op, fe.Source = store.OpAdd, "toolUseResult"
		fe.Diff = b.String()
	case lenient.Kind(r.StructuredPatch) == '[':
		var hunks []hunk
		if lenient.Unmarshal(r.StructuredPatch, &hunks) != nil {
			return store.FileEdit{}, false
		}
		diffHeaders(&b, pc.Cwd, pc.Path, false)
		fe.Added, fe.Removed = patchDiff(&b, hunks)
		fe.Source = "structuredPatch"
		if len(hunks) > 0 {
			fe.Diff = b.String()
		}
	default:
		return store.FileEdit{}, false
	}
	return fe, true
}
