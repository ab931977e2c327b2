package gateway

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// jwkBits returns the size in bits of the RSA modulus n of a JSON Web Key,
// checking that n and e are base64url.
func jwkBits(n, e string) (int, error) {
	nb, err := b64url(n)
	if err != nil {
		return 0, fmt.Errorf("n is not base64url: %w", err)
	}
	eb, err := b64url(e)
	if err != nil {
		return 0, fmt.Errorf("e is not base64url: %w", err)
	}
	if x := new(big.Int).SetBytes(eb); x.Cmp(big.NewInt(1)) <= 0 || x.Bit(0) == 0 {
		return 0, fmt.Errorf("e is %v, not a valid RSA exponent", x)
	}
	return new(big.Int).SetBytes(nb).BitLen(), nil
}

func b64url(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// pemBits returns the size in bits of a PEM-encoded RSA public key.
func pemBits(s string) (int, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return 0, errors.New("it is not PEM: expected -----BEGIN PUBLIC KEY-----")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return 0, fmt.Errorf("it is a PEM %q block; expected a PUBLIC KEY", block.Type)
	}
	if err != nil {
		return 0, fmt.Errorf("it does not parse: %w", err)
	}
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return 0, fmt.Errorf("it is a %T key; API Gateway verifies RS256, RS384 and RS512 only", pub)
	}
	return k.N.BitLen(), nil
}
