package hooks

import (
	"os"
	"os/exec"
	"path/filepath"
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
