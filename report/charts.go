package report

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"
)

// palette colours the series of the charts, in order; it reads on white
// and for the common forms of colour blindness (Okabe–Ito, then greys).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999", "#666666"}

// series is one stacked series of a chart: a value per column.
type series struct {
	Name   string
	Color  string
	Values []float64
}

// chart is a stacked bar chart over days, drawn as inline SVG.
type chart struct {
	Title   string
	Columns []string // x labels (days)
	Series  []series
	Format  func(float64) string // value labels
}

// svg draws the chart: bars stacked per column, a y axis with rounded
// ticks, x labels thinned to fit, a legend, and a <title> per bar segment
// that browsers show on hover.
func (c chart) svg() template.HTML {
	const w, h, left, right, top, bottom = 720.0, 260.0, 64.0, 12.0, 16.0, 44.0
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %g %g" xmlns="http://www.w3.org/2000/svg">`, esc(c.Title), w, h+float64(20*((len(c.Series)+3)/4)))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(c.Title))
	if len(c.Columns) == 0 {
		fmt.Fprintf(&b, `<text x="%g" y="%g" class="empty">no data</text></svg>`, w/2, h/2)
		return template.HTML(b.String())
	}
	maxV := 0.0
	for i := range c.Columns {
		sum := 0.0
		for _, s := range c.Series {
			sum += s.Values[i]
		}
		maxV = math.Max(maxV, sum)
	}
	step := niceStep(maxV / 4)
	top4 := step * math.Ceil(maxV/step)
	if top4 == 0 {
		top4 = 1
	}
	plotW, plotH := w-left-right, h-top-bottom
	y := func(v float64) float64 { return top + plotH - v/top4*plotH }
	for v := 0.0; v <= top4+step/2; v += step {
		fmt.Fprintf(&b, `<line class="grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, left, w-right, y(v), y(v))
		fmt.Fprintf(&b, `<text class="ytick" x="%g" y="%.1f">%s</text>`, left-6, y(v)+4, esc(c.Format(v)))
	}
	n := float64(len(c.Columns))
	slot := plotW / n
	barW := math.Max(1, math.Min(slot*0.7, 48))
	every := int(math.Ceil(n / (plotW / 64)))
	for i, col := range c.Columns {
		x := left + slot*float64(i) + (slot-barW)/2
		base := 0.0
		for _, s := range c.Series {
			v := s.Values[i]
			if v <= 0 {
				continue
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %s</title></rect>`,
				x, y(base+v), barW, y(base)-y(base+v), s.Color, esc(col), esc(s.Name), esc(c.Format(v)))
			base += v
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text class="xtick" x="%.1f" y="%g">%s</text>`, x+barW/2, top+plotH+16, esc(col))
		}
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%g" x2="%g" y1="%g" y2="%g"/>`, left, w-right, top+plotH, top+plotH)
	for i, s := range c.Series {
		lx, ly := left+float64(i%4)*((w-left)/4), h+float64(20*(i/4))
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="10" height="10" fill="%s"/><text class="legend" x="%g" y="%g">%s</text>`,
			lx, ly-9, s.Color, lx+14, ly, esc(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceStep rounds a raw tick step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// dayChart builds a chart from values keyed by day and series name; the
// days run continuously from the first to the last.
func dayChart(title string, values map[string]map[string]float64, format func(float64) string) chart {
	var days []string
	names := map[string]bool{}
	for d, m := range values {
		days = append(days, d)
		for n := range m {
			names[n] = true
		}
	}
	sort.Strings(days)
	if len(days) > 1 {
		days = fillDays(days[0], days[len(days)-1])
	}
	var ns []string
	for n := range names {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	c := chart{Title: title, Columns: days, Format: format}
	for i, n := range ns {
		s := series{Name: n, Color: palette[i%len(palette)], Values: make([]float64, len(days))}
		for j, d := range days {
			s.Values[j] = values[d][n]
		}
		c.Series = append(c.Series, s)
	}
	return c
}

// fillDays lists every day from first to last (YYYY-MM-DD), at most 400.
func fillDays(first, last string) []string {
	t, err1 := parseDay(first)
	end, err2 := parseDay(last)
	if err1 != nil || err2 != nil {
		return []string{first, last}
	}
	var out []string
	for ; !t.After(end) && len(out) < 400; t = t.AddDate(0, 0, 1) {
		out = append(out, t.Format("2006-01-02"))
	}
	return out
}

func compact(v float64) string {
	switch {
	case v >= 1e9:
		return trimZero(fmt.Sprintf("%.1fG", v/1e9))
	case v >= 1e6:
		return trimZero(fmt.Sprintf("%.1fM", v/1e6))
	case v >= 1e3:
		return trimZero(fmt.Sprintf("%.1fk", v/1e3))
	}
	return trimZero(fmt.Sprintf("%.1f", v))
}

func dollarsAxis(v float64) string {
	if v != 0 && v < 1 {
		return fmt.Sprintf("$%.2f", v)
	}
	return "$" + compact(v)
}

func trimZero(s string) string {
	return strings.Replace(s, ".0", "", 1)
}
