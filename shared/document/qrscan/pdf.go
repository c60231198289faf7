package qrscan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/zmed/exam-manager/shared/document"
)

// pdfcpu keeps a configuration directory under the user's home unless told
// not to; a Lambda function's home is read-only.
var disableConfigDir sync.Once

// pageImage is one image XObject of a page, its size read from its
// dictionary before anything of it is decoded.
type pageImage struct {
	sd   *types.StreamDict
	w, h int
}

// scanPDF reads the PDF's structure, checks the page count and every page
// image's size against the limits, and only then decodes the images page by
// page, calling visit with each page's codes until it returns true.
func scanPDF(ctx context.Context, pdf []byte, lim document.Limits, visit func([]string) bool) error {
	disableConfigDir.Do(api.DisableConfigDir)
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	pc, err := api.ReadContext(ctx, bytes.NewReader(pdf), conf)
	if err != nil {
		return pdfError(ctx, err)
	}
	if err := pc.EnsurePageCount(); err != nil {
		return pdfError(ctx, err)
	}
	if pc.PageCount > lim.MaxPages {
		return fmt.Errorf("%w: %d pages", document.ErrTooLarge, pc.PageCount)
	}
	pages := make([][]pageImage, pc.PageCount)
	var spent int64
	for p := range pages {
		if pages[p], err = imagesOf(ctx, pc, p+1); err != nil {
			return pdfError(ctx, err)
		}
		for _, im := range pages[p] {
			if err := checkPixels(im.w, im.h, spent, lim); err != nil {
				return err
			}
			spent += int64(im.w) * int64(im.h)
		}
	}
	for _, images := range pages {
		var codes []string
		for _, im := range images {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("%w: %w", document.ErrTooLarge, err)
			}
			g, err := decodePageImage(im, lim)
			if err != nil {
				return err
			}
			if g == nil { // an encoding we do not read (JPX, JBIG2): no codes from it
				continue
			}
			found, err := findCodes(ctx, g)
			if err != nil {
				return err
			}
			codes = append(codes, found...)
		}
		if visit(codes) {
			return nil
		}
	}
	return nil
}

// pdfError classifies an error of pdfcpu: the time budget spent is
// ErrTooLarge, anything else ErrUnreadable.
func pdfError(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: %w", document.ErrTooLarge, err)
	}
	return fmt.Errorf("%w: %v", document.ErrUnreadable, err)
}

// imagesOf lists the image XObjects of page p (1-based), with their sizes.
func imagesOf(ctx context.Context, pc *model.Context, p int) ([]pageImage, error) {
	_, _, inherited, err := pc.PageDict(ctx, p, true)
	if err != nil {
		return nil, err
	}
	if inherited == nil || inherited.Resources == nil {
		return nil, nil
	}
	xobjects, err := pc.DereferenceDict(inherited.Resources["XObject"])
	if err != nil || xobjects == nil {
		return nil, err
	}
	var images []pageImage
	for _, o := range xobjects {
		sd, _, err := pc.DereferenceStreamDict(o)
		if err != nil {
			return nil, err
		}
		if sd == nil || !isName(sd.Dict["Subtype"], "Image") {
			continue
		}
		w, err := intEntry(pc, sd.Dict, "Width")
		if err != nil {
			return nil, err
		}
		h, err := intEntry(pc, sd.Dict, "Height")
		if err != nil {
			return nil, err
		}
		images = append(images, pageImage{sd: sd, w: w, h: h})
	}
	return images, nil
}

func intEntry(pc *model.Context, d types.Dict, key string) (int, error) {
	i, err := pc.DereferenceInteger(d[key])
	if err != nil {
		return 0, err
	}
	if i == nil {
		return 0, fmt.Errorf("image without /%s", key)
	}
	return i.Value(), nil
}

func isName(o types.Object, name string) bool {
	n, ok := o.(types.Name)
	return ok && n.Value() == name
}
