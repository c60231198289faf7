// Command cost prints what the system costs (`make cost`): per 1,000 exams
// and per month at three volumes, from the figures `make bench` measured
// (measured.json), the prices in prices.json and the template's resources.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/zmed/exam-manager/local/cost/model"
)

func main() {
	measured := flag.String("measured", "local/cost/measured.json", "the figures make bench wrote")
	prices := flag.String("prices", "local/cost/prices.json", "the prices")
	root := flag.String("root", ".", "the repository (its template.yaml and functions/)")
	flag.Parse()
	if err := run(os.Stdout, *root, *measured, *prices); err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, root, measuredPath, pricesPath string) error {
	var m model.Measured
	if err := model.ReadJSON(measuredPath, &m); err != nil {
		return fmt.Errorf("%w (make bench writes it)", err)
	}
	var p model.Prices
	if err := model.ReadJSON(pricesPath, &p); err != nil {
		return err
	}
	r, err := model.ReadResources(root)
	if err != nil {
		return err
	}
	b, err := model.Compute(m, r, p)
	if err != nil {
		return err
	}
	print(w, m, r, p, b)
	return nil
}

func print(w io.Writer, m model.Measured, r model.Resources, p model.Prices, b model.Bill) {
	fmt.Fprintf(w, "# What the ZMED exam manager costs\n\nMeasured: %s (local/cost/measured.json, written by make bench).\nPrices: %s, in local/cost/prices.json with each one's source and date.\n\n", m.Taken, p.Region)

	fmt.Fprintf(w, "## Per 1,000 exams\n\nAn exam: registered, started, listed once, on one worklist page, then its result uploaded to S3 and processed (or communicated by hand), and the patient told (%.0f%% by SMS).\n\n", 100*p.SMSShare)
	fmt.Fprintf(w, "| line | result by S3, USD | manual path, USD | what was counted |\n| --- | ---: | ---: | --- |\n")
	for _, l := range b.Lines {
		if l.Fixed {
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", l.Name, usd(l.PerThousand[0], l.Unpriced), usd(l.PerThousand[1], l.Unpriced), l.Basis)
	}
	fmt.Fprintf(w, "| **total** | **%s** | **%s** | %s |\n\n", usd(b.PerThousand(0), false), usd(b.PerThousand(1), false), unpricedNote(b))

	fmt.Fprintf(w, "## Per month\n\nFixed lines cost the same whatever the volume; the others grow with it (result by S3). Storage lines are what each month's exams add to every later month's bill while they are kept.\n\n")
	fmt.Fprintf(w, "| line |")
	for _, v := range model.Volumes {
		fmt.Fprintf(w, " %s exams, USD |", thousands(v))
	}
	fmt.Fprintf(w, "\n| --- |%s\n", strings.Repeat(" ---: |", len(model.Volumes)))
	for _, l := range b.Lines {
		name := l.Name
		if l.Fixed {
			name += " (fixed)"
		}
		fmt.Fprintf(w, "| %s |", name)
		for _, v := range model.Volumes {
			cost := l.Monthly
			if !l.Fixed {
				cost = l.PerThousand[0] * float64(v) / 1000
			}
			fmt.Fprintf(w, " %s |", usd(cost, l.Unpriced))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "| **fixed** |")
	for range model.Volumes {
		fmt.Fprintf(w, " **%s** |", usd(b.FixedMonthly(), false))
	}
	fmt.Fprintf(w, "\n| **total** |")
	for _, v := range model.Volumes {
		fmt.Fprintf(w, " **%s** |", usd(b.Monthly(v), false))
	}
	fmt.Fprintf(w, "\n\n%s\n\n", unpricedNote(b))

	fmt.Fprintf(w, "## Memory sizes\n\nThe template's size of each function, with what was measured at it (CPU share as Lambda gives it; docs/cost.md says how each size was chosen).\n\n| function | MB | cold ms | warm p50 ms | peak MiB |\n| --- | ---: | ---: | ---: | ---: |\n")
	fns := make([]string, 0, len(r.MemoryMB))
	for fn := range r.MemoryMB {
		fns = append(fns, fn)
	}
	sort.Strings(fns)
	for _, fn := range fns {
		mb := r.MemoryMB[fn]
		if why, ok := m.NotMeasured[fn]; ok {
			fmt.Fprintf(w, "| %s | %d | not run locally: %s | | |\n", fn, mb, why)
			continue
		}
		s, ok := m.Functions[fn].At(mb)
		if !ok {
			fmt.Fprintf(w, "| %s | %d | not measured at this size: run make bench | | |\n", fn, mb)
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %.1f | %.1f | %.0f |\n", fn, mb, s.ColdStartMS, s.WarmP50MS, s.PeakMiB)
	}
}

func unpricedNote(b model.Bill) string {
	if len(b.Unpriced) == 0 {
		return ""
	}
	return fmt.Sprintf("Not in the totals: %s has no price in local/cost/prices.json yet.", strings.Join(b.Unpriced, ", "))
}

// usd prints an amount in dollars, to the cent when it is at least one.
func usd(v float64, unpriced bool) string {
	switch {
	case unpriced:
		return "not priced"
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	case v == 0:
		return "0"
	default:
		return fmt.Sprintf("%.4f", v)
	}
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
