package processor

import "github.com/zmed/exam-manager/shared/config"

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

// ReadBucket reads the results bucket's name and folders, each defaulting as
// in DefaultFolders.
func ReadBucket(r *config.Reader) (string, Folders) {
	d := DefaultFolders
	return r.String(config.BucketVar, config.DefaultBucket), Folders{
		Completed: r.String(config.CompletedPrefixVar, d.Completed),
		Processed: r.String(config.ProcessedPrefixVar, d.Processed),
		Stuck:     r.String(config.StuckPrefixVar, d.Stuck),
		Denied:    r.String(config.DeniedPrefixVar, d.Denied),
		Deleted:   r.String(config.DeletedPrefixVar, d.Deleted),
	}
}
