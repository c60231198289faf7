package qrscan

import (
	"image"
	"image/color"
)

// maxSide is the longest side the QR reader is given: a page scanned finer
// (400–600 dpi) is averaged down to about 300 dpi, which keeps every module
// of the codes we look for several pixels wide and halves or quarters the
// reader's time and memory.
const maxSide = 3600

// gray is an 8-bit luminance raster, row by row.
type gray struct {
	w, h int
	pix  []byte
}

// scaleFor is the integer factor a w × h image is averaged down by.
func scaleFor(w, h int) int {
	return (max(w, h) + maxSide - 1) / maxSide
}

// luminance converts a decoded image to luminance, averaged down by
// scaleFor. The common decoders' types are read directly; CMYK (which
// image/jpeg returns with Adobe's inversion already undone) through its RGB.
func luminance(img image.Image) *gray {
	b := img.Bounds()
	k := scaleFor(b.Dx(), b.Dy())
	var at func(x, y int) uint32 // luminance 0–255 of the pixel at x, y (bounds-relative)
	switch m := img.(type) {
	case *image.YCbCr: // a JPEG's luminance is its Y plane
		return averagedPlane(m.Y[m.YOffset(b.Min.X, b.Min.Y):], m.YStride, b.Dx(), b.Dy(), k)
	case *image.Gray:
		return averagedPlane(m.Pix, m.Stride, b.Dx(), b.Dy(), k)
	case *image.CMYK:
		at = func(x, y int) uint32 {
			p := m.Pix[y*m.Stride+4*x:]
			r, g, bl, _ := color.CMYK{C: p[0], M: p[1], Y: p[2], K: p[3]}.RGBA()
			return luma(r, g, bl)
		}
	case *image.NRGBA:
		at = func(x, y int) uint32 {
			p := m.Pix[y*m.Stride+4*x:]
			return onWhite(luma(uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101), uint32(p[3]))
		}
	case *image.RGBA:
		at = func(x, y int) uint32 {
			p := m.Pix[y*m.Stride+4*x:]
			return luma(uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101) + 255 - uint32(p[3])
		}
	case *image.Paletted:
		lum := make([]uint32, len(m.Palette))
		for i, c := range m.Palette {
			r, g, bl, a := c.RGBA()
			lum[i] = luma(r, g, bl) + 255 - a>>8
		}
		at = func(x, y int) uint32 {
			i := int(m.Pix[y*m.Stride+x])
			if i >= len(lum) {
				return 255
			}
			return lum[i]
		}
	default:
		at = func(x, y int) uint32 {
			r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			return luma(r, g, bl) + 255 - a>>8
		}
	}
	return averaged(b.Dx(), b.Dy(), k, at)
}

// averaged builds the raster of a w × h source averaged over k × k blocks.
func averaged(w, h, k int, at func(x, y int) uint32) *gray {
	g := &gray{w: w / k, h: h / k}
	if g.w == 0 || g.h == 0 {
		g.w, g.h, k = w, h, 1
	}
	g.pix = make([]byte, g.w*g.h)
	n := uint32(k * k)
	for y := range g.h {
		for x := range g.w {
			var sum uint32
			for dy := range k {
				for dx := range k {
					sum += min(at(x*k+dx, y*k+dy), 255)
				}
			}
			g.pix[y*g.w+x] = byte(sum / n)
		}
	}
	return g
}

// averagedPlane is averaged for an 8-bit plane: the decoders' common case,
// without a call per pixel.
func averagedPlane(pix []byte, stride, w, h, k int) *gray {
	g := &gray{w: w / k, h: h / k}
	if g.w == 0 || g.h == 0 {
		g.w, g.h, k = w, h, 1
	}
	g.pix = make([]byte, g.w*g.h)
	if k == 1 {
		for y := range g.h {
			copy(g.pix[y*g.w:(y+1)*g.w], pix[y*stride:])
		}
		return g
	}
	sums := make([]uint32, g.w)
	n := uint32(k * k)
	for y := range g.h {
		clear(sums)
		for dy := range k {
			row := pix[(y*k+dy)*stride:][:g.w*k]
			for x, v := range row {
				sums[x/k] += uint32(v)
			}
		}
		out := g.pix[y*g.w : (y+1)*g.w]
		for x, s := range sums {
			out[x] = byte(s / n)
		}
	}
	return g
}

// luma is ITU-R BT.601 luminance, 0–255, of 16-bit (premultiplied) RGB.
func luma(r, g, b uint32) uint32 {
	return (19595*r + 38470*g + 7471*b + 1<<15) >> 24
}

// onWhite composes a non-premultiplied luminance of alpha a over white paper.
func onWhite(l, a uint32) uint32 {
	return (l*a + 255*(255-a)) / 255
}

// rotated returns the raster turned a quarter clockwise.
func (g *gray) rotated() *gray {
	r := &gray{w: g.h, h: g.w, pix: make([]byte, len(g.pix))}
	for y := range g.h {
		for x := range g.w {
			r.pix[x*r.w+(r.w-1-y)] = g.pix[y*g.w+x]
		}
	}
	return r
}

// mirrored returns the raster flipped left to right.
func (g *gray) mirrored() *gray {
	m := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	for y := range g.h {
		row, src := m.pix[y*g.w:(y+1)*g.w], g.pix[y*g.w:(y+1)*g.w]
		for x := range g.w {
			row[x] = src[g.w-1-x]
		}
	}
	return m
}

// orient turns the raster upright by an EXIF orientation (1–8): the camera
// stored the pixels turned and/or mirrored, and tagged how.
func (g *gray) orient(o int) *gray {
	switch o {
	case 2:
		return g.mirrored()
	case 3:
		return g.rotated().rotated()
	case 4:
		return g.rotated().rotated().mirrored()
	case 5:
		return g.rotated().mirrored()
	case 6:
		return g.rotated()
	case 7:
		return g.rotated().rotated().rotated().mirrored()
	case 8:
		return g.rotated().rotated().rotated()
	}
	return g
}
