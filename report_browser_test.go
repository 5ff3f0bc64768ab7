package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

var screenshots = flag.String("screenshots", "", "write screenshots of the HTML report to this directory (docs/img)")

// TestHTMLReportInBrowser opens the HTML report of the demo's sessions in
// headless Chromium: it renders the sessions and the charts, loads nothing
// from the network, raises no script error, and its search and filters
// work. With -screenshots DIR it also writes the screenshots of
// docs/reports.md.
func TestHTMLReportInBrowser(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("chromium is not installed (apt-get install -y chromium; .ci/setup installs it)")
	}
	dir := t.TempDir()
	root, err := filepath.Abs(filepath.Join("testdata", "demo"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, []byte("# defaults\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	global := []string{"--db", filepath.Join(dir, "trail.db"), "--config", cfg,
		"--source", "codex:" + filepath.Join(root, "codex"), "--source", "claude:" + filepath.Join(root, "claude")}
	page := filepath.Join(dir, "report.html")
	for _, args := range [][]string{{"ingest", "-q"}, {"export", "-o", page}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), append(append([]string{}, global...), args...), strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("aitrail %s: exit %d\n%s%s", args[0], code, out.String(), errb.String())
		}
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// Start the browser and the tab before listening, with no timeout on
	// this first call (it would stop the browser).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var requests, exceptions []string
	err = chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, e.Request.URL)
		case *runtime.EventExceptionThrown:
			exceptions = append(exceptions, e.ExceptionDetails.Text)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	eval := func(js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	text := func(id string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page), chromedp.WaitVisible(chromedp.ID("count"))); err != nil {
		t.Fatal(err)
	}
	sessions := eval(`document.querySelectorAll(".session").length`)
	prompts := eval(`document.querySelectorAll(".prompt").length`)
	bars := eval(`document.querySelectorAll("svg.chart rect[fill]:not([width='10'])").length`)
	if count := text("count"); sessions != 2.0 || prompts != 3.0 || bars.(float64) < 2 || count != "3 of 3 prompts shown" {
		t.Errorf("rendered %v sessions, %v prompts, %v chart bars, count %q; want 2, 3, at least 2, \"3 of 3 prompts shown\"", sessions, prompts, bars, count)
	}
	shoot(t, ctx, "report-overview.png", true)

	// Search: only prompts containing every term stay visible.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), "staging")); err != nil {
		t.Fatal(err)
	}
	visible := eval(`Array.from(document.querySelectorAll(".prompt")).filter(p => !p.hidden && !p.closest(".session").hidden).map(p => p.querySelector(".ptext").textContent).join("|")`).(string)
	if count := text("count"); count != "1 of 3 prompts shown" || strings.Count(visible, "|") != 0 || !strings.Contains(visible, "staging database") {
		t.Errorf("search 'staging': count %q, visible %q", count, visible)
	}
	shoot(t, ctx, "report-search.png", false)

	// The agent filter keeps one agent's sessions; the edits filter those
	// prompts that edited files.
	set := func(id, value string) {
		t.Helper()
		eval(`(e => { e.value = ` + strconv.Quote(value) + `; e.dispatchEvent(new Event("change")); return 0 })(document.getElementById("` + id + `"))`)
	}
	set("q", "")
	set("f-agent", "Claude Code")
	agents := eval(`Array.from(document.querySelectorAll(".session")).filter(s => !s.hidden).map(s => s.dataset.agent).join(",")`)
	if count := text("count"); count != "1 of 3 prompts shown" || agents != "Claude Code" {
		t.Errorf("agent filter: count %q, sessions %v", count, agents)
	}
	set("f-agent", "")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("f-edits"))); err != nil {
		t.Fatal(err)
	}
	if count := text("count"); count != "3 of 3 prompts shown" {
		t.Errorf("edits filter: count %q (every demo prompt edited a file)", count)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, u := range requests {
		if !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the report requested %s", u)
		}
	}
	if len(requests) == 0 {
		t.Error("no request seen at all: the network listener did not work")
	}
	if len(exceptions) > 0 {
		t.Errorf("script errors: %v", exceptions)
	}
}

// shoot writes a screenshot to the -screenshots directory, of the whole
// page or of the window.
func shoot(t *testing.T, ctx context.Context, name string, full bool) {
	t.Helper()
	if *screenshots == "" {
		return
	}
	action := chromedp.CaptureScreenshot()
	if full {
		action = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*screenshots, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
