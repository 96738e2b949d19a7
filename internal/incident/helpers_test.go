package incident

import (
	"bytes"
	"io"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func jsonReader(s string) io.Reader { return bytes.NewReader([]byte(s)) }
