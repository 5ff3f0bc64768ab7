package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/aitrail/aitrail/store"
)

// team is where and as whom this machine pushes.
type team struct {
	url, member, machine string
}

// teamSettings resolves the team database (to, else AITRAIL_TEAM_URL,
// else the config's team.url), the member name (team.member, else git's
// user.email) and the machine name (team.machine, else the host name).
func (e *env) teamSettings(to string) (team, error) {
	f, err := e.config()
	if err != nil {
		return team{}, err
	}
	t := team{url: to, member: f.Team.Member, machine: f.Team.Machine}
	from := "--to"
	if t.url == "" {
		t.url, from = e.getenv("AITRAIL_TEAM_URL"), "AITRAIL_TEAM_URL"
	}
	if t.url == "" {
		t.url, from = f.Team.URL, "team.url"
	}
	if t.url == "" {
		return t, usagef("no team database: pass --to postgres://…, set AITRAIL_TEAM_URL, or set team.url in the config (see docs/team.md)")
	}
	if !store.IsURL(t.url) {
		// Not shown: what is not a URL cannot be redacted as one.
		return t, usagef("%s is not a postgres:// URL", from)
	}
	if t.member == "" {
		t.member = e.gitEmail()
	}
	if t.member == "" {
		return t, fmt.Errorf("no member name to push as: set team.member in the config, or git's user.email")
	}
	if t.machine == "" {
		if t.machine, err = os.Hostname(); err != nil || t.machine == "" {
			return t, fmt.Errorf("no machine name to push from: set team.machine in the config")
		}
	}
	return t, nil
}

// gitEmail returns git's user.email (GIT_AUTHOR_EMAIL when it is set, as
// git does), or "". Unlike git, it never guesses one from the host.
func (e *env) gitEmail() string {
	if v := e.getenv("GIT_AUTHOR_EMAIL"); v != "" {
		return v
	}
	out, _ := exec.Command("git", "config", "--get", "user.email").Output()
	return strings.TrimSpace(string(out))
}

// push pushes the local database to the team database.
func (e *env) push(db *store.DB, t team, raw, dryRun bool) (store.PushReport, error) {
	return db.Push(e.ctx, t.url, store.PushOptions{Member: t.member, Machine: t.machine, Raw: raw, DryRun: dryRun, Version: version})
}
