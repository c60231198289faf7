package resultfiling

import (
	"fmt"
	"strings"

	"github.com/zmed/exam-manager/shared/config"
)

// Folders are the top-level folders of the results bucket: results arrive
// under Completed and are filed under the folder of their outcome.
type Folders struct {
	Completed, Processed, Stuck, Denied, Deleted string
}

// DefaultFolders are the folder names unless configured otherwise; the one
// place they are written (template.yaml's IAM policies name the same).
var DefaultFolders = Folders{
	Completed: "completed",
	Processed: string(Processed),
	Stuck:     string(Stuck),
	Denied:    string(Denied),
	Deleted:   string(Deleted),
}

func (f Folders) of(o Outcome) string {
	switch o {
	case Processed:
		return f.Processed
	case Stuck:
		return f.Stuck
	case Denied:
		return f.Denied
	case Deleted:
		return f.Deleted
	}
	panic("processor: no folder for outcome " + string(o))
}

// Check says what is wrong with the folders, or nil: each must be named
// (without a leading "/"; a trailing one is ignored), and no folder may be
// another's or begin with another's name, so that processing never triggers
// on its own output nor files one outcome among another's.
func (f Folders) Check() error {
	named := []struct{ variable, name string }{
		{config.CompletedPrefixVar, f.Completed}, {config.ProcessedPrefixVar, f.Processed},
		{config.StuckPrefixVar, f.Stuck}, {config.DeniedPrefixVar, f.Denied}, {config.DeletedPrefixVar, f.Deleted},
	}
	var problems []string
	for i, a := range named {
		name := strings.TrimSuffix(a.name, "/")
		switch {
		case name == "":
			problems = append(problems, a.variable+" is empty")
			continue
		case strings.HasPrefix(name, "/"):
			problems = append(problems, fmt.Sprintf("%s %q begins with /", a.variable, a.name))
			continue
		}
		for _, b := range named[i+1:] {
			other := strings.TrimSuffix(b.name, "/")
			if other != "" && (strings.HasPrefix(name, other) || strings.HasPrefix(other, name)) {
				problems = append(problems, fmt.Sprintf("%s %q and %s %q overlap (one is a prefix of the other)", a.variable, a.name, b.variable, b.name))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("results bucket folders: %s; the five must differ and none may begin with another", strings.Join(problems, "; "))
	}
	return nil
}

// ReadBucket reads the results bucket's name and folders, each defaulting as
// in DefaultFolders, and records in r what Folders.Check finds wrong, so that
// the function stops at cold start.
func ReadBucket(r *config.Reader) (string, Folders) {
	d := DefaultFolders
	bucket := r.String(config.BucketVar, config.DefaultBucket)
	f := Folders{
		Completed: r.String(config.CompletedPrefixVar, d.Completed),
		Processed: r.String(config.ProcessedPrefixVar, d.Processed),
		Stuck:     r.String(config.StuckPrefixVar, d.Stuck),
		Denied:    r.String(config.DeniedPrefixVar, d.Denied),
		Deleted:   r.String(config.DeletedPrefixVar, d.Deleted),
	}
	if err := f.Check(); err != nil {
		r.Fail(err)
	}
	return bucket, f
}
