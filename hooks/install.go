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

// Hooks returns the hooks the options install.
func (o InstallOptions) Hooks() []string {
	h := []string{"pre-commit", "post-commit", "post-rewrite"}
	if o.SyncNotes {
		h = append(h, "pre-push")
	}
	if o.Trailer {
		h = append(h, "prepare-commit-msg")
	}
	return h
}

// Report says what install or uninstall did, and what the user must do.
type Report struct {
	HooksDir string
	Written  []string // hooks written or updated
	Chained  []string // foreign hooks kept as <hook>.pre-aitrail and run first
	Restored []string // foreign hooks put back by uninstall
	Removed  []string // hooks removed by uninstall
	Config   []string // git config changes
	Notes    []string // instructions for the user (hook managers)
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

// Install installs aitrail's hooks into repo.
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
			old, err := os.ReadFile(path)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			if isOurs(old) {
				continue
			}
			content := string(old)
			if content != "" && !strings.HasSuffix(content, "\n") {
				content += "\n"
			}
			if err := os.WriteFile(path, []byte(content+huskyBlock(h)), 0o755); err != nil {
				return nil, fmt.Errorf("write %s: %w", path, err)
			}
			rep.Written = append(rep.Written, path)
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
		if _, err := os.Stat(filepath.Join(root, "lefthook.yml")); err == nil {
			rep.Notes = append(rep.Notes, "lefthook.yml found: lefthook regenerates its hooks; add aitrail to lefthook.yml instead:\n"+lefthookSnippet(o.Hooks()))
		}
		if _, err := os.Stat(filepath.Join(root, ".pre-commit-config.yaml")); err == nil {
			rep.Notes = append(rep.Notes, "the pre-commit framework is configured: you may instead declare aitrail in .pre-commit-config.yaml:\n"+preCommitSnippet()+
				"\nand run: pre-commit install --hook-type pre-commit --hook-type post-commit --hook-type post-rewrite")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		// Check every hook before touching any: all or nothing.
		var foreign []string
		for _, h := range o.Hooks() {
			path := filepath.Join(dir, h)
			old, err := os.ReadFile(path)
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
		for _, h := range o.Hooks() {
			path := filepath.Join(dir, h)
			for _, f := range foreign {
				if f == path {
					if err := os.Rename(path, path+chainSuffix); err != nil {
						return nil, err
					}
					rep.Chained = append(rep.Chained, path+chainSuffix)
					old, _ := os.ReadFile(path + chainSuffix)
					if bytes.Contains(old, []byte("git lfs")) || bytes.Contains(old, []byte("git-lfs")) {
						rep.Notes = append(rep.Notes, "git-lfs's "+h+" hook is kept and runs first; 'git lfs update' would refuse to overwrite aitrail's hook, which is what you want")
					}
				}
			}
			if err := os.WriteFile(path, []byte(Script(h)), 0o755); err != nil {
				return nil, fmt.Errorf("write %s: %w", path, err)
			}
			rep.Written = append(rep.Written, path)
		}
	}
	changes, err := configure(repo, o.Ref)
	if err != nil {
		return rep, err
	}
	rep.Config = append(rep.Config, changes...)
	return rep, nil
}

// configure makes git carry the notes through amend and rebase and show
// them in git log.
func configure(repo *gitlog.Repo, ref string) ([]string, error) {
	var out []string
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
		out = append(out, key+"="+ref)
	}
	return out, nil
}

// Uninstall removes aitrail's hooks and puts chained foreign hooks back.
func Uninstall(repo *gitlog.Repo, o InstallOptions) (*Report, error) {
	if o.Ref == "" {
		o.Ref = NotesRef
	}
	dir, err := repo.HooksDir()
	if err != nil {
		return nil, err
	}
	rep := &Report{HooksDir: dir}
	all := InstallOptions{SyncNotes: true, Trailer: true}.Hooks()
	if husky := huskyDir(dir); husky != "" {
		for _, h := range all {
			path := filepath.Join(husky, h)
			old, err := os.ReadFile(path)
			if err != nil {
				continue
			}
			if block := huskyBlock(h); bytes.Contains(old, []byte(block)) {
				if err := os.WriteFile(path, bytes.Replace(old, []byte(block), nil, 1), 0o755); err != nil {
					return nil, err
				}
				rep.Removed = append(rep.Removed, path)
			}
		}
	}
	for _, h := range all {
		path := filepath.Join(dir, h)
		old, err := os.ReadFile(path)
		if err != nil || !isOurs(old) {
			continue
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
		rep.Removed = append(rep.Removed, path)
		if _, err := os.Stat(path + chainSuffix); err == nil {
			if err := os.Rename(path+chainSuffix, path); err != nil {
				return nil, err
			}
			rep.Restored = append(rep.Restored, path)
		}
	}
	for _, h := range all {
		sec := configSection(h)
		if vals, err := repo.ConfigAll(sec + ".command"); err == nil && len(vals) > 0 {
			if err := repo.RemoveConfigSection(sec); err != nil {
				return nil, err
			}
			rep.Config = append(rep.Config, "removed "+sec)
		}
	}
	for _, key := range []string{"notes.displayRef"} {
		vals, err := repo.ConfigAll(key)
		if err == nil && contains(vals, o.Ref) {
			if err := repo.UnsetConfig(key, o.Ref); err != nil {
				return rep, err
			}
			rep.Config = append(rep.Config, "removed "+key+"="+o.Ref)
		}
	}
	return rep, nil
}

// HookState is the state of one hook.
type HookState struct {
	Name    string `json:"name"`
	Path    string `json:"path"`
	State   string `json:"state"` // "installed", "outdated", "foreign", "missing", "husky", "config"
	Chained bool   `json:"chained"`
}

// Inspect reports the state of each hook aitrail may install.
func Inspect(repo *gitlog.Repo) ([]HookState, error) {
	dir, err := repo.HooksDir()
	if err != nil {
		return nil, err
	}
	husky := huskyDir(dir)
	var out []HookState
	for _, h := range (InstallOptions{SyncNotes: true, Trailer: true}).Hooks() {
		st := HookState{Name: h, Path: filepath.Join(dir, h), State: "missing"}
		if vals, err := repo.ConfigAll(configSection(h) + ".command"); err == nil && len(vals) > 0 {
			st.State, st.Path = "config", configSection(h)
			out = append(out, st)
			continue
		}
		if husky != "" {
			st.Path = filepath.Join(husky, h)
			if b, err := os.ReadFile(st.Path); err == nil && isOurs(b) {
				st.State = "husky"
			}
			out = append(out, st)
			continue
		}
		if b, err := os.ReadFile(st.Path); err == nil {
			switch {
			case bytes.Contains(b, []byte(Marker)):
				st.State = "installed"
			case isOurs(b):
				st.State = "outdated"
			default:
				st.State = "foreign"
			}
		}
		if _, err := os.Stat(st.Path + chainSuffix); err == nil {
			st.Chained = true
		}
		out = append(out, st)
	}
	return out, nil
}

// huskyDir returns husky's directory of user hook scripts when the hooks
// directory is husky's generated one (.husky/_), else "".
func huskyDir(hooksDir string) string {
	if filepath.Base(hooksDir) == "_" && filepath.Base(filepath.Dir(hooksDir)) == ".husky" {
		return filepath.Dir(hooksDir)
	}
	return ""
}

func lefthookSnippet(hooks []string) string {
	var b strings.Builder
	for _, h := range hooks {
		fmt.Fprintf(&b, "%s:\n  jobs:\n    - name: aitrail\n      run: aitrail hook %s {0}\n", h, h)
		if stdinHooks[h] {
			b.WriteString("      use_stdin: true\n")
		}
	}
	return b.String()
}

func preCommitSnippet() string {
	return `- repo: local
  hooks:
    - id: aitrail-ingest
      name: aitrail ingest
      entry: aitrail hook pre-commit
      language: system
      always_run: true
      pass_filenames: false
      stages: [pre-commit]
    - id: aitrail-annotate
      name: aitrail annotate
      entry: aitrail hook post-commit
      language: system
      always_run: true
      pass_filenames: false
      stages: [post-commit]`
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
