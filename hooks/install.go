package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/repofile"
)

// Marker identifies a hook script written by aitrail, with its version:
// scripts with an older marker are replaced on install.
const Marker = "aitrail-hook v1"

// markerPrefix matches every version of the marker.
const markerPrefix = "aitrail-hook v"

// chainSuffix is appended to a foreign hook that an aitrail hook runs first.
const chainSuffix = ".pre-aitrail"

// NotesRef is the default notes ref.
const NotesRef = "refs/notes/aitrail"

// stdinHooks read their input from stdin, which must reach both a chained
// hook and aitrail.
var stdinHooks = map[string]bool{"post-rewrite": true, "pre-push": true}

// InstallOptions choose what to install.
type InstallOptions struct {
	Chain     bool   // keep foreign hooks and run them first
	SyncNotes bool   // also install pre-push, which syncs notes with the remote
	Trailer   bool   // also install prepare-commit-msg, which adds an Assisted-by trailer
	Ref       string // the notes ref (default NotesRef)
	// Files writes hook files even where git supports config-based hooks.
	Files bool
}

// configHooks reports whether git runs hooks from config (git ≥ 2.54).
func configHooks(repo *gitlog.Repo) bool {
	major, minor, err := repo.GitVersion()
	return err == nil && (major > 2 || major == 2 && minor >= 54)
}

// configSection is the config section of aitrail's config-based hook.
func configSection(hook string) string { return "hook.aitrail-" + hook }

// ConfigCommand is the command of aitrail's config-based hook: git appends
// the hook's arguments; it never fails, as the scripts do.
func ConfigCommand(hook string) string {
	return fmt.Sprintf(`sh -c '[ "${AITRAIL:-1}" = 0 ] && exit 0; if command -v aitrail >/dev/null 2>&1; then aitrail hook %s "$@" || true; else echo "aitrail: aitrail is not in PATH, %s skipped (install it, or set AITRAIL=0)" >&2; fi; exit 0' aitrail-%s`, hook, hook, hook)
}

// HookInfo describes a hook aitrail can install.
type HookInfo struct {
	Name     string
	Optional bool   // installed only with Flag
	Flag     string // the install option that adds an optional hook
	Work     string // what aitrail does in it
}

// AllHooks lists every hook aitrail can install, in install order.
func AllHooks() []HookInfo {
	return []HookInfo{
		{Name: "pre-commit", Work: "only say when the repository's rule file cannot apply (post-commit does the commit's work)"},
		{Name: "post-commit", Work: "read what the agents wrote for this repository, annotate HEAD and commits made without the hooks"},
		{Name: "post-rewrite", Work: "re-annotate amended or rebased commits (reads \"old new\" lines)"},
		{Name: "pre-push", Optional: true, Flag: "--sync-notes", Work: "share notes with the remote"},
		{Name: "prepare-commit-msg", Optional: true, Flag: "--trailer", Work: "add Assisted-by: trailers"},
	}
}

// Hooks returns the hooks the options install.
func (o InstallOptions) Hooks() []string {
	var h []string
	for _, hi := range AllHooks() {
		if !hi.Optional || hi.Name == "pre-push" && o.SyncNotes || hi.Name == "prepare-commit-msg" && o.Trailer {
			h = append(h, hi.Name)
		}
	}
	return h
}

func allHookNames() []string { return InstallOptions{SyncNotes: true, Trailer: true}.Hooks() }

// Report says what install or uninstall did, and what the user must do.
type Report struct {
	HooksDir string   `json:"hooksDir"`
	Written  []string `json:"written"`  // hook files written or updated
	Edited   []string `json:"edited"`   // files aitrail added its lines to (install) or took them out of (uninstall), which stay
	Chained  []string `json:"chained"`  // foreign hooks kept as <hook>.pre-aitrail and run first
	Restored []string `json:"restored"` // foreign hooks put back by uninstall
	Removed  []string `json:"removed"`  // files uninstall removed
	Managed  []string `json:"managed"`  // hooks a hook manager already runs aitrail for: nothing written
	Config   []string `json:"config"`   // git config changes
	Notes    []string `json:"notes"`    // instructions for the user (hook managers)
}

// ForeignHookError is returned when a hook that aitrail did not write is in
// the way and --chain was not given.
type ForeignHookError struct {
	Paths []string
	Notes []string // what a hook manager found in the repository wants instead
}

func (e *ForeignHookError) Error() string {
	msg := fmt.Sprintf("%s already exist and are not aitrail's: run 'aitrail install --chain' to keep them and run them before aitrail (uninstall restores them), or call 'aitrail hook <name>' from them yourself",
		strings.Join(e.Paths, ", "))
	for _, n := range e.Notes {
		msg += "\nnote: " + n
	}
	return msg
}

// Script returns the hook script for name.
func Script(name string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/sh\n# %s (%s): written by 'aitrail install'; 'aitrail uninstall' removes it.\n", Marker, name)
	b.WriteString("# A foreign hook saved as $0" + chainSuffix + " runs first; its exit status is kept.\n")
	b.WriteString("# aitrail's part never fails: set AITRAIL=0 to skip it.\n")
	feed := ""
	if stdinHooks[name] {
		b.WriteString("input=$(cat)\n")
		feed = "printf '%s\\n' \"$input\" | "
	}
	b.WriteString("status=0\n")
	fmt.Fprintf(&b, "if [ -x \"$0%s\" ]; then\n\t%s\"$0%s\" \"$@\"\n\tstatus=$?\nfi\n", chainSuffix, feed, chainSuffix)
	if name == "pre-commit" {
		// post-commit does the commit's work: pre-commit runs aitrail only
		// to say that the repository's rule file cannot apply, so that a
		// commit starts one aitrail process, not two.
		b.WriteString("# aitrail's part: only to check the repository's rule file (post-commit does the work).\n")
		b.WriteString("if [ -e .aitrail/redactions.yml ] || [ -L .aitrail/redactions.yml ]; then :; else exit $status; fi\n")
	}
	b.WriteString("if [ \"${AITRAIL:-1}\" != 0 ]; then\n")
	b.WriteString("\tif command -v aitrail >/dev/null 2>&1; then\n")
	fmt.Fprintf(&b, "\t\t%saitrail hook %s \"$@\" || true\n", feed, name)
	b.WriteString("\telse\n")
	fmt.Fprintf(&b, "\t\techo \"aitrail: 'aitrail' is not in PATH, %s skipped (install it, or set AITRAIL=0)\" >&2\n", name)
	b.WriteString("\tfi\nfi\nexit $status\n")
	return b.String()
}

// isOurs reports whether a hook file was written by aitrail.
func isOurs(content []byte) bool { return bytes.Contains(content, []byte(markerPrefix)) }

// huskyBlock is what aitrail adds to a husky hook file.
func huskyBlock(name string) string {
	return fmt.Sprintf("# >>> %s\n[ \"${AITRAIL:-1}\" = 0 ] || { command -v aitrail >/dev/null 2>&1 && aitrail hook %s \"$@\" || true; }\n# <<< %s\n", Marker, name, Marker)
}

// huskyBlockAfter is huskyBlock after a last line that had no newline: it
// brings the newline, which uninstall takes away with it.
func huskyBlockAfter(name string) string {
	return "\n" + strings.Replace(huskyBlock(name), Marker, Marker+" (the newline above is aitrail's)", 1)
}

// Install installs aitrail's hooks into repo, and configures git to keep,
// show and fetch the notes.
func Install(repo *gitlog.Repo, o InstallOptions) (*Report, error) {
	if o.Ref == "" {
		o.Ref = NotesRef
	}
	dir, err := repo.HooksDir()
	if err != nil {
		return nil, err
	}
	rep := &Report{HooksDir: dir}
	root := repo.Root()
	if husky := huskyDir(dir); husky != "" {
		for _, h := range o.Hooks() {
			path := filepath.Join(husky, h)
			old, err := readHook(root, path)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			if callsAitrail(old, h) {
				continue
			}
			content := string(old) + huskyBlock(h)
			if len(old) > 0 && !bytes.HasSuffix(old, []byte("\n")) {
				content = string(old) + huskyBlockAfter(h)
			}
			if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
				return nil, fmt.Errorf("write %s: %w", path, err)
			}
			if len(old) > 0 {
				rep.Edited = append(rep.Edited, path)
			} else {
				rep.Written = append(rep.Written, path)
			}
		}
		rep.Notes = append(rep.Notes, "husky owns the hooks (core.hooksPath="+dir+"): aitrail's lines were added to the files in "+husky+"; commit them so the team gets them, or keep them local")
	} else if !o.Files && configHooks(repo) {
		// git runs several hooks per event from config: nothing to chain,
		// no file of anyone else's to touch.
		for _, h := range o.Hooks() {
			sec := configSection(h)
			if err := repo.SetConfig(sec+".event", h); err != nil {
				return nil, err
			}
			if err := repo.SetConfig(sec+".command", ConfigCommand(h)); err != nil {
				return nil, err
			}
			rep.Config = append(rep.Config, sec+" (config-based hook for "+h+")")
		}
	} else {
		ms := managers(root)
		var todo []string
		for _, h := range o.Hooks() {
			st, err := inspectFile(root, dir, ms, h)
			if err != nil {
				return nil, err
			}
			if st.Runs() && st.State != StateInstalled && st.State != StateOutdated {
				rep.Managed = append(rep.Managed, h+" ("+st.State+", "+st.Via+")")
				continue
			}
			todo = append(todo, h)
		}
		for _, m := range ms {
			if m.config != "" && len(todo) > 0 {
				rep.Notes = append(rep.Notes, m.config+" found: "+m.why+"; add aitrail to "+m.config+" instead:\n"+m.snippet(todo))
			}
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		// Check every hook before touching any: all or nothing.
		var foreign []string
		for _, h := range todo {
			path := filepath.Join(dir, h)
			old, err := readHook(root, path)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if !isOurs(old) {
				if _, err := os.Stat(path + chainSuffix); err == nil {
					return nil, fmt.Errorf("%s and %s both exist: move one away, then install again", path, path+chainSuffix)
				}
				foreign = append(foreign, path)
			}
		}
		if len(foreign) > 0 && !o.Chain {
			return nil, &ForeignHookError{Paths: foreign, Notes: rep.Notes}
		}
		for _, h := range todo {
			path := filepath.Join(dir, h)
			if contains(foreign, path) {
				if err := os.Rename(path, path+chainSuffix); err != nil {
					return nil, err
				}
				rep.Chained = append(rep.Chained, path+chainSuffix)
				old, _ := readHook(root, path+chainSuffix)
				if bytes.Contains(old, []byte("git lfs")) || bytes.Contains(old, []byte("git-lfs")) {
					rep.Notes = append(rep.Notes, "git-lfs's "+h+" hook is kept and runs first; 'git lfs update' would refuse to overwrite aitrail's hook, which is what you want")
				}
			}
			if err := os.WriteFile(path, []byte(Script(h)), 0o755); err != nil {
				return nil, fmt.Errorf("write %s: %w", path, err)
			}
			rep.Written = append(rep.Written, path)
		}
	}
	changes, err := configure(repo, o.Ref)
	rep.Config = append(rep.Config, changes...)
	return rep, err
}

// addedKey lists the settings install added (key=value), so that
// uninstall removes those and not the same settings made by hand;
// recordedKey says that install records them (an older aitrail did not).
const (
	addedKey    = "aitrail.added"
	recordedKey = "aitrail.recorded"
)

// fetchSetting is the addedKey entry of remote's notes fetch refspec.
func fetchSetting(remote, ref string) string {
	return "remote." + remote + ".fetch=" + gitlog.NotesRefspec(remote, ref)
}

// configure makes git carry the notes through amend and rebase, show them
// in git log, and fetch every remote's notes into its tracking ref; it
// records what it added (addedKey).
func configure(repo *gitlog.Repo, ref string) ([]string, error) {
	var out []string
	if vals, err := repo.ConfigAll(recordedKey); err != nil || len(vals) == 0 {
		if err := repo.AddConfig(recordedKey, "true"); err != nil {
			return out, err
		}
	}
	for _, key := range []string{"notes.rewriteRef", "notes.displayRef"} {
		vals, err := repo.ConfigAll(key)
		if err != nil {
			return out, err
		}
		if contains(vals, ref) {
			continue
		}
		if err := repo.AddConfig(key, ref); err != nil {
			return out, err
		}
		if err := repo.AddConfig(addedKey, key+"="+ref); err != nil {
			return out, err
		}
		out = append(out, key+"="+ref)
	}
	remotes, err := repo.Remotes()
	if err != nil {
		return out, err
	}
	for _, rm := range remotes {
		added, err := repo.AddNotesFetch(rm, ref)
		if err != nil {
			return out, err
		}
		if added {
			if err := repo.AddConfig(addedKey, fetchSetting(rm, ref)); err != nil {
				return out, err
			}
			out = append(out, fmt.Sprintf("remote.%s.fetch=%s ('git fetch' brings %s's notes into %s; aitrail merges them)",
				rm, gitlog.NotesRefspec(rm, ref), rm, gitlog.TrackingRef(rm, ref)))
		}
	}
	return out, nil
}

// Uninstall removes what Install added, and says exactly what: aitrail's
// hook scripts (also where a hook manager moved them aside), its lines in
// husky's files (and the files it created there), its config-based hooks,
// notes.displayRef and the notes fetch refspecs. Chained foreign hooks are
// put back. Notes, and notes.rewriteRef (which keeps them on rewritten
// commits), stay.
func Uninstall(repo *gitlog.Repo, o InstallOptions) (*Report, error) {
	if o.Ref == "" {
		o.Ref = NotesRef
	}
	dir, err := repo.HooksDir()
	if err != nil {
		return nil, err
	}
	rep := &Report{HooksDir: dir}
	root := repo.Root()
	if husky := huskyDir(dir); husky != "" {
		for _, h := range allHookNames() {
			path := filepath.Join(husky, h)
			old, err := readHook(root, path)
			if err != nil {
				continue
			}
			var rest []byte
			for _, block := range []string{huskyBlockAfter(h), huskyBlock(h)} {
				if bytes.Contains(old, []byte(block)) {
					rest = bytes.Replace(old, []byte(block), nil, 1)
					break
				}
			}
			if rest == nil {
				continue
			}
			if len(bytes.TrimSpace(rest)) == 0 {
				// aitrail created it (install writes only its block to a new file).
				if err := os.Remove(path); err != nil {
					return nil, err
				}
				rep.Removed = append(rep.Removed, path)
				continue
			}
			if err := os.WriteFile(path, rest, 0o755); err != nil {
				return nil, err
			}
			rep.Edited = append(rep.Edited, path)
		}
	}
	dirs := []string{dir}
	if def := filepath.Join(repo.CommonDir(), "hooks"); def != dir {
		dirs = append(dirs, def) // scripts left where hooks were before core.hooksPath changed
	}
	ms := managers(root)
	for _, d := range dirs {
		for _, h := range allHookNames() {
			if err := uninstallHook(root, filepath.Join(d, h), ms, rep); err != nil {
				return rep, err
			}
		}
	}
	for _, h := range allHookNames() {
		sec := configSection(h)
		if vals, err := repo.ConfigAll(sec + ".command"); err == nil && len(vals) > 0 {
			if err := repo.RemoveConfigSection(sec); err != nil {
				return nil, err
			}
			rep.Config = append(rep.Config, "removed "+sec)
		}
	}
	// What install added (an install of an older aitrail recorded
	// nothing: then its settings are recognised by their values).
	added, err := repo.ConfigAll(addedKey)
	if err != nil {
		return rep, err
	}
	recorded, err := repo.ConfigAll(recordedKey)
	if err != nil {
		return rep, err
	}
	ours := func(setting string) bool { return len(recorded) == 0 || contains(added, setting) }
	if vals, err := repo.ConfigAll("notes.displayRef"); err == nil && contains(vals, o.Ref) && ours("notes.displayRef="+o.Ref) {
		if err := repo.UnsetConfig("notes.displayRef", o.Ref); err != nil {
			return rep, err
		}
		rep.Config = append(rep.Config, "removed notes.displayRef="+o.Ref)
	}
	remotes, err := repo.Remotes()
	if err != nil {
		return rep, err
	}
	for _, rm := range remotes {
		if !ours(fetchSetting(rm, o.Ref)) {
			continue
		}
		removed, err := repo.RemoveNotesFetch(rm, o.Ref)
		if err != nil {
			return rep, err
		}
		if removed {
			rep.Config = append(rep.Config, "removed remote."+rm+".fetch="+gitlog.NotesRefspec(rm, o.Ref))
		}
	}
	if len(recorded) > 0 {
		if err := repo.RemoveConfigSection("aitrail"); err != nil { // addedKey's and recordedKey's only
			return rep, err
		}
	}
	for _, m := range ms {
		var declared []string
		for _, h := range allHookNames() {
			if callsAitrail(m.text, h) {
				declared = append(declared, h)
			}
		}
		if len(declared) > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s still runs aitrail for %s: remove those jobs from it (aitrail does not edit it), then run %s", m.config, strings.Join(declared, ", "), m.reinstall))
		}
	}
	if vals, err := repo.ConfigAll("notes.rewriteRef"); err == nil && contains(vals, o.Ref) {
		rep.Notes = append(rep.Notes, "kept notes.rewriteRef="+o.Ref+" so that the notes stay on amended and rebased commits ('git config --unset notes.rewriteRef "+o.Ref+"' removes it); the notes themselves stay too")
	}
	return rep, nil
}

// uninstallHook removes aitrail's script for the hook at path, wherever it
// is: at path, or where a hook manager moved it aside (lefthook: path.old;
// pre-commit: path.legacy). The foreign hook it chained (path.pre-aitrail)
// goes back where that hook ran from: path, or the manager's place for it.
func uninstallHook(root, path string, ms []manager, rep *Report) error {
	home := path // where the chained hook goes back
	found := false
	places := []string{path}
	for _, m := range ms {
		places = append(places, path+m.aside)
	}
	for _, p := range places {
		b, err := readHook(root, p)
		if err != nil || !isOurs(b) {
			continue
		}
		if err := os.Remove(p); err != nil {
			return err
		}
		rep.Removed = append(rep.Removed, p)
		found = true
		if p != path {
			home = p // the manager runs or restores it from there
		}
	}
	chained := path + chainSuffix
	if _, err := os.Stat(chained); err != nil {
		return nil
	}
	if _, err := os.Stat(home); err == nil {
		if !found {
			return nil // not ours to move: someone else's hook is there
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s (the hook aitrail chained) is kept: %s is in its place now; move it back by hand if you want it", chained, home))
		return nil
	}
	if err := os.Rename(chained, home); err != nil {
		return err
	}
	rep.Restored = append(rep.Restored, home)
	if home != path {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the hook aitrail chained is back as %s, where the hook manager that replaced %s keeps the hook it found", home, path))
	}
	return nil
}

// Hook states Inspect reports.
const (
	StateInstalled = "installed"  // aitrail's script
	StateOutdated  = "outdated"   // an older aitrail's script: install replaces it
	StateConfig    = "config"     // a config-based hook (git 2.54+)
	StateHusky     = "husky"      // aitrail's lines in husky's file
	StateLefthook  = "lefthook"   // lefthook runs aitrail's job (Via names its configuration)
	StatePreCommit = "pre-commit" // the pre-commit framework runs aitrail's job, or aitrail's script in migration mode
	StateCalled    = "called"     // a foreign hook calls 'aitrail hook' itself
	StateDeclared  = "declared"   // a manager's configuration has aitrail's job, but the manager's hook is not installed
	StateDisplaced = "displaced"  // aitrail's script was moved or bypassed and no longer runs
	StateForeign   = "foreign"    // a hook that does not run aitrail
	StateMissing   = "missing"    // no hook, and aitrail's work is not done
	StateOptional  = "optional"   // an optional hook that is not installed
)

// HookState is the state of one hook.
type HookState struct {
	Name     string `json:"name"`
	Path     string `json:"path"`
	State    string `json:"state"`
	Optional bool   `json:"optional"`
	Chained  bool   `json:"chained"`
	Via      string `json:"via,omitempty"`     // the configuration or file that runs aitrail, for a manager's state and StateCalled
	Problem  string `json:"problem,omitempty"` // what is wrong, in a sentence
	Fix      string `json:"fix,omitempty"`     // what to do about it
}

// Runs reports whether git runs aitrail's work for the hook.
func (s HookState) Runs() bool {
	switch s.State {
	case StateInstalled, StateOutdated, StateConfig, StateHusky, StateLefthook, StatePreCommit, StateCalled:
		return true
	}
	return false
}

// Inspect reports the state of each hook aitrail may install.
func Inspect(repo *gitlog.Repo) ([]HookState, error) {
	dir, err := repo.HooksDir()
	if err != nil {
		return nil, err
	}
	husky := huskyDir(dir)
	root := repo.Root()
	ms := managers(root)
	var out []HookState
	for _, hi := range AllHooks() {
		h := hi.Name
		var st HookState
		if vals, err := repo.ConfigAll(configSection(h) + ".command"); err == nil && len(vals) > 0 {
			st = HookState{Name: h, Path: configSection(h), State: StateConfig}
		} else if husky != "" {
			st = HookState{Name: h, Path: filepath.Join(husky, h), State: StateMissing}
			if b, err := readHook(root, st.Path); err == nil && callsAitrail(b, h) {
				st.State = StateHusky
			}
		} else if st, err = inspectFile(root, dir, ms, h); err != nil {
			return nil, err
		}
		st.Optional = hi.Optional
		if st.State == StateMissing && hi.Optional {
			st.State = StateOptional
			st.Fix = "'aitrail install " + hi.Flag + "' adds it"
		}
		if !st.Runs() && !hi.Optional && st.Problem == "" {
			if b, err := readHook(root, filepath.Join(repo.CommonDir(), "hooks", h)); err == nil && isOurs(b) && filepath.Join(repo.CommonDir(), "hooks") != dir {
				st.State = StateDisplaced
				st.Problem = fmt.Sprintf("aitrail's script in %s no longer runs: git runs hooks from %s (core.hooksPath)", filepath.Join(repo.CommonDir(), "hooks"), dir)
				st.Fix = "run 'aitrail install' again"
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// inspectFile reports the state of a hook in a hooks directory that is not
// husky's.
func inspectFile(root, dir string, ms []manager, h string) (HookState, error) {
	st := HookState{Name: h, Path: filepath.Join(dir, h), State: StateMissing}
	b, err := readHook(root, st.Path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return st, err
	}
	exists := err == nil
	var declared, owner *manager
	for i := range ms {
		if declared == nil && callsAitrail(ms[i].text, h) {
			declared = &ms[i]
		}
		if exists && ms[i].owns(b) {
			owner = &ms[i]
		}
	}
	switch {
	case exists && isOurs(b):
		st.State = StateInstalled
		if !bytes.Contains(b, []byte(Marker)) {
			st.State = StateOutdated
		}
		if _, err := os.Stat(st.Path + chainSuffix); err == nil {
			st.Chained = true
		}
	case exists && owner != nil && declared == owner:
		st.State, st.Via = owner.name, owner.config
	case exists && owner != nil:
		aside := st.Path + owner.aside
		switch b, _ := readHook(root, aside); {
		case isOurs(b) && owner.runsAside:
			st.State, st.Via = owner.name, "runs aitrail's script as "+aside
		case isOurs(b):
			st.State = StateDisplaced
			st.Problem = fmt.Sprintf("%s replaced aitrail's script and moved it to %s, where it no longer runs", owner.name, aside)
		default:
			st.State = StateForeign
			st.Problem = owner.name + "'s hook does not run aitrail"
		}
		if !st.Runs() {
			st.Fix = "add to " + owner.configFile() + ":\n" + owner.snippet([]string{h})
		}
	case exists && callsAitrail(b, h):
		st.State, st.Via = StateCalled, st.Path
	case exists:
		st.State = StateForeign
		st.Fix = "'aitrail install --chain' runs it before aitrail's, or call 'aitrail hook " + h + "' from it"
	case declared != nil:
		st.State = StateDeclared
		st.Problem = fmt.Sprintf("%s declares aitrail's job, but %s's %s hook is not installed", declared.config, declared.name, h)
		st.Fix = "run: " + declared.name + " install"
		if declared.name == "pre-commit" {
			st.Fix += " --hook-type " + h
		}
	}
	return st, nil
}

// readHook reads a hook script. One in the work tree (husky's .husky/, a
// core.hooksPath inside the repository) comes from whoever can push to the
// repository: it is read like any repository file, so that a link to
// /dev/zero or a pipe cannot hang install or status. Hooks under .git are
// the machine's own and may link anywhere.
func readHook(root, path string) ([]byte, error) {
	rel, err := filepath.Rel(root, path)
	if err == nil && filepath.IsLocal(rel) && rel != ".git" && !strings.HasPrefix(rel, ".git"+string(filepath.Separator)) {
		return repofile.Read(root, filepath.ToSlash(rel))
	}
	return os.ReadFile(path)
}

// huskyDir returns husky's directory of user hook scripts when the hooks
// directory is husky's generated one (.husky/_), else "".
func huskyDir(hooksDir string) string {
	if filepath.Base(hooksDir) == "_" && filepath.Base(filepath.Dir(hooksDir)) == ".husky" {
		return filepath.Dir(hooksDir)
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
