package hooks

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/gitlog"
)

// fakeAitrail puts an "aitrail" on PATH that records its arguments and
// stdin, and returns the record file.
func fakeAitrail(t *testing.T, dir string, status int) string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	os.MkdirAll(bin, 0o755)
	rec := filepath.Join(dir, "record")
	script := "#!/bin/sh\necho \"args: $*\" >> " + rec + "\ncat >> " + rec + "\nexit " + string(rune('0'+status)) + "\n"
	if err := os.WriteFile(filepath.Join(bin, "aitrail"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return rec
}

func runSh(t *testing.T, dir, path string, env []string, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("/bin/sh", append([]string{"-c", path + ` "$@"`, "sh"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func TestScriptChainsAndNeverFails(t *testing.T) {
	dir := t.TempDir()
	rec := fakeAitrail(t, dir, 1) // aitrail itself failing must not matter
	hook := filepath.Join(dir, "post-rewrite")
	os.WriteFile(hook, []byte(Script("post-rewrite")), 0o755)
	foreignOut := filepath.Join(dir, "foreign")
	os.WriteFile(hook+chainSuffix, []byte("#!/bin/sh\necho \"foreign $*\" > "+foreignOut+"\ncat >> "+foreignOut+"\nexit 3\n"), 0o755)
	path := "PATH=" + filepath.Join(dir, "bin") + ":/usr/bin:/bin"

	out, code := runSh(t, dir, hook, []string{path}, "old1 new1\n", "amend")
	if code != 3 {
		t.Errorf("exit status = %d, want the foreign hook's 3 (output %q)", code, out)
	}
	got, _ := os.ReadFile(rec)
	if want := "args: hook post-rewrite amend\nold1 new1\n"; string(got) != want {
		t.Errorf("aitrail got %q, want %q", got, want)
	}
	foreign, _ := os.ReadFile(foreignOut)
	if want := "foreign amend\nold1 new1\n"; string(foreign) != want {
		t.Errorf("foreign hook got %q, want %q (same arguments and stdin)", foreign, want)
	}

	// AITRAIL=0 skips aitrail but not the foreign hook.
	os.Remove(rec)
	_, code = runSh(t, dir, hook, []string{path, "AITRAIL=0"}, "x y\n", "rebase")
	if _, err := os.Stat(rec); err == nil || code != 3 {
		t.Errorf("AITRAIL=0: aitrail ran or status %d changed", code)
	}

	// Without aitrail in PATH: a message, and the foreign status.
	out, code = runSh(t, dir, hook, []string{"PATH=/usr/bin:/bin"}, "", "amend")
	if code != 3 || !strings.Contains(out, "'aitrail' is not in PATH, post-rewrite skipped") {
		t.Errorf("no aitrail: status %d, output %q", code, out)
	}
}

func TestConfigCommandNeverFails(t *testing.T) {
	dir := t.TempDir()
	rec := fakeAitrail(t, dir, 2)
	path := "PATH=" + filepath.Join(dir, "bin") + ":/usr/bin:/bin"
	// git runs a config-based hook's command with the hook's arguments
	// appended, through the shell.
	cmd := ConfigCommand("pre-commit")
	if out, code := runSh(t, dir, cmd, []string{path}, ""); code != 0 {
		t.Errorf("status %d (%s), want 0 although aitrail failed", code, out)
	}
	if got, _ := os.ReadFile(rec); !strings.HasPrefix(string(got), "args: hook pre-commit") {
		t.Errorf("aitrail got %q", got)
	}
	if out, code := runSh(t, dir, cmd, []string{"PATH=/usr/bin:/bin"}, ""); code != 0 || !strings.Contains(out, "not in PATH") {
		t.Errorf("no aitrail: status %d, output %q", code, out)
	}
	os.Remove(rec)
	if _, code := runSh(t, dir, cmd, []string{path, "AITRAIL=0"}, ""); code != 0 {
		t.Errorf("AITRAIL=0: status %d", code)
	}
	if _, err := os.Stat(rec); err == nil {
		t.Error("AITRAIL=0: aitrail ran")
	}
}

func TestLefthookAndPreCommitSnippets(t *testing.T) {
	s := lefthookSnippet([]string{"post-commit", "post-rewrite"})
	if !strings.Contains(s, "post-rewrite:\n  jobs:\n    - name: aitrail\n      run: aitrail hook post-rewrite {0}\n      use_stdin: true") {
		t.Errorf("lefthook snippet:\n%s", s)
	}
	hooks := []string{"pre-commit", "post-commit", "post-rewrite", "pre-push"}
	for _, tt := range []struct {
		name      string
		v         version
		want, not []string
	}{
		{"unknown version: names every version accepts", version{},
			[]string{"stages: [commit]", "stages: [post-commit]", "stages: [post-rewrite]", "stages: [push]", "every version"},
			[]string{"stages: [pre-commit]", "stages: [pre-push]"}},
		{"3.0 (Debian 12)", version{3, 0},
			[]string{"stages: [commit]", "stages: [push]", "stages: [post-rewrite]"}, []string{"stages: [pre-commit]", "every version"}},
		{"3.2 renamed the stages", version{3, 2},
			[]string{"stages: [pre-commit]", "stages: [pre-push]", "stages: [post-commit]", "stages: [post-rewrite]"}, []string{"stages: [commit]", "stages: [push]"}},
		{"4.x", version{4, 3}, []string{"stages: [pre-commit]"}, []string{"stages: [commit]"}},
		{"2.10 has no post-rewrite", version{2, 10},
			[]string{"stages: [commit]", "no post-rewrite stage"}, []string{"stages: [post-rewrite]"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := preCommitSnippet(hooks, tt.v)
			if !strings.Contains(p, "entry: aitrail hook post-commit") || !strings.Contains(p, "pass_filenames: false") || !strings.Contains(p, "always_run: true") {
				t.Errorf("pre-commit snippet lacks the post-commit job:\n%s", p)
			}
			for _, w := range tt.want {
				if !strings.Contains(p, w) {
					t.Errorf("snippet lacks %q:\n%s", w, p)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(p, n) {
					t.Errorf("snippet has %q:\n%s", n, p)
				}
			}
		})
	}
}

func TestCallsAitrail(t *testing.T) {
	for _, tt := range []struct {
		text string
		hook string
		want bool
	}{
		{"      run: aitrail hook post-commit {0}\n", "post-commit", true},
		{"entry: aitrail hook pre-commit\n", "pre-commit", true},
		{"entry: aitrail hook pre-commit\n", "post-commit", false},
		{"# run: aitrail hook post-commit\n", "post-commit", false},
		{"aitrail hook post-commit-extra\n", "post-commit", false},
		{"npx lint-staged && aitrail hook pre-push \"$@\"", "pre-push", true},
	} {
		if got := callsAitrail([]byte(tt.text), tt.hook); got != tt.want {
			t.Errorf("callsAitrail(%q, %s) = %v, want %v", tt.text, tt.hook, got, tt.want)
		}
	}
}

func TestJobEncoding(t *testing.T) {
	c, _ := gitlog.ParseHash("1111111111111111111111111111111111111111")
	a, _ := gitlog.ParseHash("2222222222222222222222222222222222222222")
	b, _ := gitlog.ParseHash("3333333333333333333333333333333333333333")
	for _, from := range [][]gitlog.Hash{nil, {a}, {a, b}} {
		got, gotFrom, err := parseJob(job(c, from))
		if err != nil || got != c || len(gotFrom) != len(from) {
			t.Fatalf("parseJob(job(%v)) = %v %v %v", from, got, gotFrom, err)
		}
		for i := range from {
			if gotFrom[i] != from[i] {
				t.Errorf("from[%d] = %v, want %v", i, gotFrom[i], from[i])
			}
		}
	}
	if _, _, err := parseJob("nothex"); err == nil {
		t.Error("parseJob accepted garbage")
	}
}

// gitRepo makes a repository with a hermetic git configuration.
func gitRepo(t *testing.T) (string, *gitlog.Repo) {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", dir)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	repo, err := gitlog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, repo
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

const (
	lefthookHook  = "#!/bin/sh\ncall_lefthook()\n{\n  lefthook \"$@\"\n}\ncall_lefthook run \"post-commit\" \"$@\"\n"
	preCommitHook = "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\nexec pre-commit hook-impl --hook-type=post-commit\n"
	lefthookJobs  = "post-commit:\n  jobs:\n    - name: aitrail\n      run: aitrail hook post-commit {0}\n"
)

// TestInspectManagers checks what status says about post-commit in the
// layouts hook managers leave, without the managers themselves (the
// scripts in testdata/script run the real ones).
func TestInspectManagers(t *testing.T) {
	for _, tt := range []struct {
		name    string
		files   map[string]string // relative to the repository
		config  []string          // git config key value
		state   string
		via     string // substring
		problem string // substring
		fix     string // substring
	}{
		{name: "aitrail's script", files: map[string]string{".git/hooks/post-commit": Script("post-commit")}, state: StateInstalled},
		{name: "lefthook moved aitrail's script aside",
			files: map[string]string{".git/hooks/post-commit": lefthookHook, ".git/hooks/post-commit.old": Script("post-commit"), "lefthook.yml": "pre-commit:\n  jobs:\n    - run: make lint\n"},
			state: StateDisplaced, problem: "lefthook replaced aitrail's script and moved it to", fix: "add to lefthook.yml:\npost-commit:\n  jobs:\n    - name: aitrail\n      run: aitrail hook post-commit {0}"},
		{name: "lefthook runs aitrail's job",
			files: map[string]string{".git/hooks/post-commit": lefthookHook, "lefthook.yml": lefthookJobs},
			state: StateLefthook, via: "lefthook.yml"},
		{name: "lefthook job in .lefthook.yml", files: map[string]string{".git/hooks/post-commit": lefthookHook, ".lefthook.yml": lefthookJobs},
			state: StateLefthook, via: ".lefthook.yml"},
		{name: "lefthook job declared, lefthook not installed", files: map[string]string{"lefthook.yml": lefthookJobs},
			state: StateDeclared, problem: "lefthook.yml declares aitrail's job", fix: "run: lefthook install"},
		{name: "commented-out job", files: map[string]string{".git/hooks/post-commit": lefthookHook, "lefthook.yml": "# run: aitrail hook post-commit\n"},
			state: StateForeign, fix: "add to lefthook.yml"},
		{name: "pre-commit runs aitrail's job",
			files: map[string]string{".git/hooks/post-commit": preCommitHook, ".pre-commit-config.yaml": "repos:\n- repo: local\n  hooks:\n    - id: a\n      entry: aitrail hook post-commit\n"},
			state: StatePreCommit, via: ".pre-commit-config.yaml"},
		{name: "pre-commit's migration mode runs aitrail's script",
			files: map[string]string{".git/hooks/post-commit": preCommitHook, ".git/hooks/post-commit.legacy": Script("post-commit")},
			state: StatePreCommit, via: "runs aitrail's script as "},
		{name: "a hook of the user's that calls aitrail", files: map[string]string{".git/hooks/post-commit": "#!/bin/sh\nmake -s notes\naitrail hook post-commit\n"},
			state: StateCalled},
		{name: "core.hooksPath moved away from aitrail's scripts", files: map[string]string{".git/hooks/post-commit": Script("post-commit")},
			config: []string{"core.hooksPath", "elsewhere"}, state: StateDisplaced, problem: "(core.hooksPath)", fix: "run 'aitrail install' again"},
		{name: "nothing", state: StateMissing},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, repo := gitRepo(t)
			for name, content := range tt.files {
				write(t, filepath.Join(dir, name), content)
			}
			if tt.config != nil {
				if err := repo.SetConfig(tt.config[0], tt.config[1]); err != nil {
					t.Fatal(err)
				}
			}
			states, err := Inspect(repo)
			if err != nil {
				t.Fatal(err)
			}
			var got HookState
			for _, s := range states {
				switch s.Name {
				case "post-commit":
					got = s
				case "pre-push", "prepare-commit-msg":
					if !s.Optional || s.State != StateOptional {
						t.Errorf("%s: state %q, optional %v; want optional", s.Name, s.State, s.Optional)
					}
				}
			}
			if got.State != tt.state || !strings.Contains(got.Via, tt.via) || !strings.Contains(got.Problem, tt.problem) || !strings.Contains(got.Fix, tt.fix) {
				t.Errorf("post-commit = %+v\nwant state %q, via ~%q, problem ~%q, fix ~%q", got, tt.state, tt.via, tt.problem, tt.fix)
			}
		})
	}
}

// TestUninstallLeavesNoOrphan: aitrail's scripts that a hook manager moved
// aside are removed, the hook aitrail had chained goes where the manager
// keeps the hook it found, and husky files are emptied of aitrail's lines
// only, or removed when aitrail created them.
func TestUninstallLeavesNoOrphan(t *testing.T) {
	t.Run("lefthook", func(t *testing.T) {
		dir, repo := gitRepo(t)
		hooks := filepath.Join(dir, ".git", "hooks")
		write(t, filepath.Join(hooks, "pre-commit"), lefthookHook)
		write(t, filepath.Join(hooks, "pre-commit.old"), Script("pre-commit"))
		write(t, filepath.Join(hooks, "pre-commit.pre-aitrail"), "#!/bin/sh\necho mine\n")
		write(t, filepath.Join(dir, "lefthook.yml"), lefthookJobs)
		rep, err := Uninstall(repo, InstallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !contains(rep.Removed, filepath.Join(hooks, "pre-commit.old")) || !contains(rep.Restored, filepath.Join(hooks, "pre-commit.old")) {
			t.Errorf("report = %+v", rep)
		}
		if b, _ := os.ReadFile(filepath.Join(hooks, "pre-commit.old")); string(b) != "#!/bin/sh\necho mine\n" {
			t.Errorf("pre-commit.old = %q, want the chained hook", b)
		}
		if b, _ := os.ReadFile(filepath.Join(hooks, "pre-commit")); string(b) != lefthookHook {
			t.Error("lefthook's hook was touched")
		}
		if _, err := os.Stat(filepath.Join(hooks, "pre-commit.pre-aitrail")); err == nil {
			t.Error("pre-commit.pre-aitrail is left behind")
		}
		if !strings.Contains(strings.Join(rep.Notes, "\n"), "lefthook.yml still runs aitrail for post-commit") {
			t.Errorf("notes = %q", rep.Notes)
		}
	})
	t.Run("husky", func(t *testing.T) {
		dir, repo := gitRepo(t)
		if err := repo.SetConfig("core.hooksPath", ".husky/_"); err != nil {
			t.Fatal(err)
		}
		own := "npx lint-staged\n"
		write(t, filepath.Join(dir, ".husky", "pre-commit"), own)
		if _, err := Install(repo, InstallOptions{}); err != nil {
			t.Fatal(err)
		}
		rep, err := Uninstall(repo, InstallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, ".husky", "pre-commit")); string(b) != own {
			t.Errorf(".husky/pre-commit = %q, want the user's lines back exactly", b)
		}
		if want := []string{filepath.Join(dir, ".husky", "pre-commit")}; !reflect.DeepEqual(rep.Edited, want) {
			t.Errorf("edited = %v, want %v", rep.Edited, want)
		}
		for _, h := range []string{"post-commit", "post-rewrite"} {
			if _, err := os.Stat(filepath.Join(dir, ".husky", h)); err == nil || !contains(rep.Removed, filepath.Join(dir, ".husky", h)) {
				t.Errorf(".husky/%s: still there, or not reported removed (%v)", h, rep.Removed)
			}
		}
	})
}
