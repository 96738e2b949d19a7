package stix

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
)

// nisnetNamespace is the UUIDv5 namespace of the identifiers nisnet derives
// from its own records, so that the same record always has the same STIX id
// on every node and in every version: UUIDv5(DNS namespace, "nisnet.eu").
var nisnetNamespace = uuidV5([16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}, "nisnet.eu")

// NewID returns a new random identifier (UUIDv4) of an object of type typ.
func NewID(typ string) string {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		panic("stix: crypto/rand failed: " + err.Error())
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return typ + "--" + formatUUID(u)
}

// DerivedID returns the identifier of type typ that nisnet derives from
// name (a UUIDv5 in nisnet's namespace): the same name always gives the same
// id. Callers name what the object represents, e.g. "node:csirt-nl" or
// "incident:csirt-nl:<incident id>".
func DerivedID(typ, name string) string {
	return typ + "--" + formatUUID(uuidV5(nisnetNamespace, typ+"|"+name))
}

// NewUUID returns a random RFC 4122 version 4 UUID, e.g. for TAXII
// collection and status ids.
func NewUUID() string { return NewID("x")[3:] }

func uuidV5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}
