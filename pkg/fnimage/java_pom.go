package fnimage

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// pomModel is the part of a pom.xml that says which Java it compiles for.
// Element names match whatever the namespace.
type pomModel struct {
	Properties pomProperties `xml:"properties"`
	Build      struct {
		Plugins          []pomPlugin `xml:"plugins>plugin"`
		PluginManagement struct {
			Plugins []pomPlugin `xml:"plugins>plugin"`
		} `xml:"pluginManagement"`
	} `xml:"build"`
}

type pomPlugin struct {
	ArtifactID    string `xml:"artifactId"`
	Configuration struct {
		Release string `xml:"release"`
		Target  string `xml:"target"`
	} `xml:"configuration"`
}

// pomProperties are the <properties> of a pom, by name.
type pomProperties map[string]string

// UnmarshalXML reads each child element of <properties> as a property.
func (p *pomProperties) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	m := pomProperties{}
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var v string
			if err := d.DecodeElement(&v, &t); err != nil {
				return err
			}
			m[t.Name.Local] = strings.TrimSpace(v)
		case xml.EndElement:
			*p = m
			return nil
		}
	}
}

// javaTarget is the Java release a pom compiles for, and where it says so.
type javaTarget struct {
	version int    // 8, 11, 17, 21; 0 when unknown
	from    string // "maven.compiler.release=21", "maven-compiler-plugin <release>21</release>"
}

// pomJavaTarget reads the Java version a pom compiles for, as
// maven-compiler-plugin would: `release` (its configuration, then the
// maven.compiler.release property) wins over `target`. Values taken from
// a parent pom or a profile are not seen; the result is then unknown, as it
// is for a pom that cannot be parsed (Maven reports that one).
func pomJavaTarget(pom []byte) javaTarget {
	var m pomModel
	if err := xml.Unmarshal(pom, &m); err != nil {
		return javaTarget{}
	}
	var compilers []pomPlugin
	for _, list := range [][]pomPlugin{m.Build.Plugins, m.Build.PluginManagement.Plugins} {
		for _, p := range list {
			if strings.TrimSpace(p.ArtifactID) == "maven-compiler-plugin" {
				compilers = append(compilers, p)
			}
		}
	}
	for _, param := range []string{"release", "target"} {
		for _, p := range compilers {
			v := p.Configuration.Release
			if param == "target" {
				v = p.Configuration.Target
			}
			if v = strings.TrimSpace(v); v != "" {
				return m.Properties.javaTarget(v, "maven-compiler-plugin <"+param+">"+v+"</"+param+">")
			}
		}
		if v, ok := m.Properties["maven.compiler."+param]; ok && v != "" {
			return m.Properties.javaTarget(v, "maven.compiler."+param+"="+v)
		}
	}
	return javaTarget{}
}

// javaTarget resolves ${property} references in v (a few levels deep) and
// returns the Java version it names.
func (p pomProperties) javaTarget(v, from string) javaTarget {
	for range 5 {
		name, ok := strings.CutPrefix(v, "${")
		if !ok {
			break
		}
		name, ok = strings.CutSuffix(name, "}")
		if !ok {
			return javaTarget{}
		}
		if v, ok = p[name]; !ok {
			return javaTarget{} // defined by a parent pom or on the command line
		}
	}
	return javaTarget{version: javaMajor(v), from: from}
}

// javaMajor returns the major version of a Java version string: 8 for "1.8"
// or "1.8.0_392", 17 for "17" or "17.0.15"; 0 when s is not one.
func javaMajor(s string) int {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "1."); ok {
		s = rest
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		s = s[:i]
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// javaOfClass returns the Java version of a class file major version (52 is
// Java 8, 61 Java 17, 65 Java 21).
func javaOfClass(major int) int { return major - 44 }
