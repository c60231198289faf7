package qrscan

import (
	"bytes"
	"fmt"
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/image/ccitt"

	"github.com/zmed/exam-manager/shared/document"
)

// decodePageImage decodes one page image to luminance: a DCTDecode image is
// a JPEG as is; a FlateDecode one (with or without a PNG/TIFF predictor) or
// an unfiltered one holds raw samples; CCITTFaxDecode is a fax (G4 or G3 1-D).
// An encoding not read here (JPX, JBIG2, a chain of filters) gives nil: no
// codes from it. Its size was checked against the limits already.
func decodePageImage(im pageImage, lim document.Limits) (*gray, error) {
	if len(im.sd.FilterPipeline) > 1 {
		return nil, nil
	}
	var f types.PDFFilter
	if len(im.sd.FilterPipeline) == 1 {
		f = im.sd.FilterPipeline[0]
	}
	switch f.Name {
	case filter.DCT:
		return decodeImage(im.sd.Raw, lim)
	case filter.CCITTFax:
		return decodeFax(im, f.DecodeParms)
	case filter.Flate, "":
		return decodeSamples(im, f)
	}
	return nil, nil
}

// decodeSamples reads raw samples: 1, 2, 4, 8 or 16 bits per component,
// grey, RGB or CMYK (an ICC-based space by its number of components).
func decodeSamples(im pageImage, f types.PDFFilter) (*gray, error) {
	d := im.sd.Dict
	bpc := 1
	if d.BooleanEntry("ImageMask") == nil || !*d.BooleanEntry("ImageMask") {
		if b := d.IntEntry("BitsPerComponent"); b != nil {
			bpc = *b
		}
	}
	colors := components(d)
	if colors == 0 || (bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16) {
		return nil, nil // an indexed, separation or other colour space: not a scan
	}
	rowBytes := (im.w*colors*bpc + 7) / 8
	size := int64(rowBytes) * int64(im.h)
	data := im.sd.Raw
	if f.Name == filter.Flate {
		parms := map[string]int{}
		for k, v := range f.DecodeParms {
			if i, ok := v.(types.Integer); ok {
				parms[k] = i.Value()
			}
		}
		// The decoder may not write more than the samples the header
		// declared (plus a predictor's byte per row): no bomb inflates.
		fl, err := filter.NewFilter(filter.Flate, parms, size+int64(im.h)+1)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", document.ErrUnreadable, err)
		}
		r, err := fl.Decode(bytes.NewReader(im.sd.Raw))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", document.ErrUnreadable, err)
		}
		if data, err = io.ReadAll(r); err != nil {
			return nil, fmt.Errorf("%w: %v", document.ErrUnreadable, err)
		}
	}
	if int64(len(data)) < size {
		return nil, fmt.Errorf("%w: image data shorter than its size", document.ErrUnreadable)
	}
	// An image mask paints its 0 samples (black ink): the same as grey.
	invert := decodeInverted(d)
	maxv := uint32(1)<<min(bpc, 8) - 1
	sample := func(row []byte, i int) uint32 { // component i of a row, scaled to 0–255
		switch bpc {
		case 8:
			return uint32(row[i])
		case 16:
			return uint32(row[2*i])
		}
		bit := i * bpc
		v := uint32(row[bit/8]>>(8-bpc-bit%8)) & maxv
		return v * 255 / maxv
	}
	at := func(x, y int) uint32 {
		row := data[y*rowBytes:]
		var l uint32
		switch colors {
		case 1:
			l = sample(row, x)
		case 3:
			r, g, b := sample(row, 3*x), sample(row, 3*x+1), sample(row, 3*x+2)
			l = luma(r*0x101, g*0x101, b*0x101)
		case 4:
			c, m, y, k := sample(row, 4*x), sample(row, 4*x+1), sample(row, 4*x+2), sample(row, 4*x+3)
			l = luma((255-c)*(255-k)/255*0x101, (255-m)*(255-k)/255*0x101, (255-y)*(255-k)/255*0x101)
		}
		if invert {
			l = 255 - l
		}
		return l
	}
	return averaged(im.w, im.h, scaleFor(im.w, im.h), at), nil
}

// components is the number of colour components of the image's colour
// space, 0 for one whose samples are not colours (indexed, separation).
func components(d types.Dict) int {
	if d.BooleanEntry("ImageMask") != nil && *d.BooleanEntry("ImageMask") {
		return 1
	}
	cs := d["ColorSpace"]
	if a, ok := cs.(types.Array); ok && len(a) == 2 && isName(a[0], "ICCBased") {
		if sd, ok := a[1].(types.StreamDict); ok {
			if n := sd.IntEntry("N"); n != nil {
				return *n
			}
		}
		return 0
	}
	switch {
	case isName(cs, "DeviceGray"), isName(cs, "CalGray"):
		return 1
	case isName(cs, "DeviceRGB"), isName(cs, "CalRGB"):
		return 3
	case isName(cs, "DeviceCMYK"):
		return 4
	}
	return 0
}

// decodeInverted reports a /Decode [1 0] array: the samples are negative.
func decodeInverted(d types.Dict) bool {
	a, ok := d["Decode"].(types.Array)
	if !ok || len(a) < 2 {
		return false
	}
	return numberValue(a[0]) > numberValue(a[1])
}

func numberValue(o types.Object) float64 {
	switch n := o.(type) {
	case types.Integer:
		return float64(n.Value())
	case types.Float:
		return n.Value()
	}
	return 0
}

// decodeFax decodes a CCITTFaxDecode image with x/image's CCITT reader.
func decodeFax(im pageImage, parms types.Dict) (*gray, error) {
	k, cols, rows, blackIs1, align := 0, 1728, im.h, false, false
	if parms != nil {
		if v := parms.IntEntry("K"); v != nil {
			k = *v
		}
		if v := parms.IntEntry("Columns"); v != nil {
			cols = *v
		}
		if v := parms.IntEntry("Rows"); v != nil && *v > 0 {
			rows = *v
		}
		if v := parms.BooleanEntry("BlackIs1"); v != nil {
			blackIs1 = *v
		}
		if v := parms.BooleanEntry("EncodedByteAlign"); v != nil {
			align = *v
		}
	}
	sf := ccitt.Group3
	switch {
	case k < 0:
		sf = ccitt.Group4
	case k > 0:
		return nil, nil // G3 2-D: x/image reads only 1-D G3
	}
	if cols != im.w || rows != im.h {
		return nil, fmt.Errorf("%w: fax of %d × %d in an image of %d × %d", document.ErrUnreadable, cols, rows, im.w, im.h)
	}
	// Without BlackIs1, a 0 bit is black: the reader's default, and the
	// byte it writes for white is 0xFF, as luminance wants.
	r := ccitt.NewReader(bytes.NewReader(im.sd.Raw), ccitt.MSB, sf, cols, rows, &ccitt.Options{Align: align, Invert: blackIs1})
	rowBytes := (cols + 7) / 8
	data := make([]byte, rowBytes*rows)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("%w: %v", document.ErrUnreadable, err)
	}
	if decodeInverted(im.sd.Dict) {
		for i := range data {
			data[i] = ^data[i]
		}
	}
	at := func(x, y int) uint32 {
		return uint32(data[y*rowBytes+x/8]>>(7-x%8)&1) * 255
	}
	return averaged(cols, rows, scaleFor(cols, rows), at), nil
}
