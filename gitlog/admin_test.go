package gitlog

import "testing"

func TestParseGitVersion(t *testing.T) {
	for in, want := range map[string][2]int{
		"git version 2.39.5\n":                 {2, 39},
		"git version 2.54.0.windows.1":         {2, 54},
		"git version 2.50.1 (Apple Git-155)\n": {2, 50},
		"git version 3.0.0-rc1":                {3, 0},
	} {
		maj, min, err := parseGitVersion(in)
		if err != nil || maj != want[0] || min != want[1] {
			t.Errorf("parseGitVersion(%q) = %d, %d, %v; want %v", in, maj, min, err, want)
		}
	}
	if _, _, err := parseGitVersion("hub version"); err == nil {
		t.Error("parseGitVersion accepted garbage")
	}
}
