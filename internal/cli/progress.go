package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/oci-serverless/oci-serverless-api/pkg/fnimage"
)

var termIsTerminal = term.IsTerminal

// progressPrinter shows build and push progress on stderr: one updating
// line on a terminal, plain lines (one per step, no byte counts) otherwise.
type progressPrinter struct {
	mu       sync.Mutex
	w        io.Writer
	live     bool
	lastLine string
	lastPush string
	dirty    bool
}

func newProgressPrinter(w io.Writer, live bool) *progressPrinter {
	return &progressPrinter{w: w, live: live}
}

func (p *progressPrinter) update(ev fnimage.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := string(ev.Stage)
	if ev.Platform != "" {
		line += " [" + ev.Platform + "]"
	}
	if ev.Message != "" {
		line += ": " + ev.Message
	}
	if ev.Stage == fnimage.StagePush {
		if p.live && ev.Total > 0 {
			p.show(fmt.Sprintf("%s %s / %s", line, humanBytes(ev.Done), humanBytes(ev.Total)))
			return
		}
		if p.lastPush == line {
			return // plain output: one line per push, not per chunk
		}
		p.lastPush = line
	}
	p.show(line)
}

func (p *progressPrinter) show(line string) {
	if !p.live {
		if line != p.lastLine {
			fmt.Fprintln(p.w, line)
			p.lastLine = line
		}
		return
	}
	const width = 100
	if len(line) > width {
		line = line[:width-1] + "…"
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
	p.dirty = true
}

// note prints a line that stays.
func (p *progressPrinter) note(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fmt.Fprintln(p.w, msg)
}

// finish clears the live line.
func (p *progressPrinter) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

func (p *progressPrinter) clear() {
	if p.dirty {
		fmt.Fprint(p.w, "\r\033[K")
		p.dirty = false
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// newLogger returns a logger that writes "warning: message key=value" lines.
func newLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(&lineHandler{w: w, level: level, mu: &sync.Mutex{}})
}

type lineHandler struct {
	w     io.Writer
	level slog.Level
	attrs []slog.Attr
	mu    *sync.Mutex
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(strings.ToLower(r.Level.String()))
	if r.Level == slog.LevelWarn {
		b.Reset()
		b.WriteString("warning")
	}
	b.WriteString(": ")
	b.WriteString(r.Message)
	write := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%q", a.Key, a.Value.String())
		return true
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(write)
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

func (h *lineHandler) WithGroup(string) slog.Handler { return h }
