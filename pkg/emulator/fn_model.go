package emulator

import (
	"maps"
	"slices"
	"time"

	"github.com/oracle/oci-go-sdk/v65/functions"
)

// The Functions control plane keeps its resources in a model of its own,
// independent of any API version: requests of a version are decoded into
// fnAppSpec / fnFuncSpec (and their patches), and the stored fnApp / fnFunc
// are rendered back in the shape of the version asked (fn_api20260325.go).
// Serving another API version (20181201, whose functions carry image and
// imageDigest at the top level) is a new fnAPIVersion, not a new model.

// Lifecycle states of applications and functions (the SDK's
// ApplicationLifecycleStateEnum and FunctionLifecycleStateEnum are equal).
const (
	fnCreating = "CREATING"
	fnActive   = "ACTIVE"
	fnInactive = "INACTIVE"
	fnUpdating = "UPDATING"
	fnDeleting = "DELETING"
	fnDeleted  = "DELETED"
	fnFailed   = "FAILED"
)

// fnLifecycleStates are the values a lifecycleState filter may take.
var fnLifecycleStates = []string{fnCreating, fnActive, fnInactive, fnUpdating, fnDeleting, fnDeleted, fnFailed}

// Application shapes: the processor architectures an application's
// functions run on.
const (
	fnShapeX86    = "GENERIC_X86"
	fnShapeARM    = "GENERIC_ARM"
	fnShapeX86ARM = "GENERIC_X86_ARM"
)

// fnShapes are the valid shapes, default first.
var fnShapes = []string{fnShapeX86, fnShapeARM, fnShapeX86ARM}

// fnApp is a stored application.
type fnApp struct {
	ID      string
	State   string
	Created time.Time
	Updated time.Time
	fnAppSpec
}

// fnAppSpec is what a client chooses for an application. Nil maps and
// slices are normalised to empty ones when the application is created.
type fnAppSpec struct {
	CompartmentID      string
	DisplayName        string
	SubnetIDs          []string
	Shape              string
	Config             map[string]string
	NSGIDs             []string
	SyslogURL          *string
	Trace              *fnAppTrace
	LineFormat         string // "" (not set), JSON or PLAIN_TEXT
	ImagePolicy        *fnImagePolicy
	FreeformTags       map[string]string
	DefinedTags        map[string]map[string]any
	SecurityAttributes map[string]map[string]any
}

// fnAppTrace is an application's tracing configuration.
type fnAppTrace struct {
	Enabled  bool
	DomainID *string
}

// fnImagePolicy is an application's image signature verification policy.
type fnImagePolicy struct {
	Enabled   bool
	KMSKeyIDs []string
}

// fnAppPatch is an application update: a nil field is left unchanged.
type fnAppPatch struct {
	Config             map[string]string
	NSGIDs             []string
	SyslogURL          *string
	Trace              *fnAppTrace
	LineFormat         *string
	ImagePolicy        *fnImagePolicy
	FreeformTags       map[string]string
	DefinedTags        map[string]map[string]any
	SecurityAttributes map[string]map[string]any
}

// fnFunc is a stored function.
type fnFunc struct {
	ID            string
	State         string
	CompartmentID string // the application's
	Shape         string // the shape the function runs on (see fnImageShape)
	Created       time.Time
	Updated       time.Time
	fnFuncSpec
}

// fnFuncSpec is what a client chooses for a function.
type fnFuncSpec struct {
	ApplicationID  string
	DisplayName    string
	Image          string // as given, "HOST/NAMESPACE/REPO:TAG"
	ImageDigest    string // "sha256:...", resolved from the tag when not given
	MemoryMB       int64
	TimeoutSeconds int
	// DetachedTimeoutSeconds is nil when not set (detached invocations then
	// use TimeoutSeconds).
	DetachedTimeoutSeconds *int
	PCU                    fnPCU
	Config                 map[string]string
	TraceEnabled           bool
	FailureDestination     functions.FailureDestinationDetails
	SuccessDestination     functions.SuccessDestinationDetails
	FreeformTags           map[string]string
	DefinedTags            map[string]map[string]any
}

// fnPCU is a function's provisioned concurrency: strategy NONE, or
// CONSTANT with a count of provisioned concurrency units.
type fnPCU struct {
	Strategy string
	Count    int
}

// Provisioned concurrency strategies.
const (
	fnPCUNone     = "NONE"
	fnPCUConstant = "CONSTANT"
)

// fnFuncPatch is a function update: a nil field is left unchanged.
type fnFuncPatch struct {
	Image                  *string
	ImageDigest            *string
	MemoryMB               *int64
	TimeoutSeconds         *int
	DetachedTimeoutSeconds *int
	PCU                    *fnPCU
	Config                 map[string]string
	TraceEnabled           *bool
	FailureDestination     functions.FailureDestinationDetails
	SuccessDestination     functions.SuccessDestinationDetails
	FreeformTags           map[string]string
	DefinedTags            map[string]map[string]any
}

// hasSource reports whether the patch changes the function's image.
func (p *fnFuncPatch) hasSource() bool { return p.Image != nil || p.ImageDigest != nil }

// clone returns a deep copy of a, so that a pending update never shares
// maps with the stored version.
func (a *fnApp) clone() *fnApp {
	c := *a
	c.SubnetIDs = slices.Clone(a.SubnetIDs)
	c.NSGIDs = slices.Clone(a.NSGIDs)
	c.Config = maps.Clone(a.Config)
	c.FreeformTags = maps.Clone(a.FreeformTags)
	c.DefinedTags = fnCloneNested(a.DefinedTags)
	c.SecurityAttributes = fnCloneNested(a.SecurityAttributes)
	if a.Trace != nil {
		t := *a.Trace
		c.Trace = &t
	}
	if a.ImagePolicy != nil {
		p := *a.ImagePolicy
		p.KMSKeyIDs = slices.Clone(a.ImagePolicy.KMSKeyIDs)
		c.ImagePolicy = &p
	}
	return &c
}

// apply returns a copy of a with the patch applied.
func (a *fnApp) apply(p fnAppPatch) *fnApp {
	c := a.clone()
	if p.Config != nil {
		c.Config = maps.Clone(p.Config)
	}
	if p.NSGIDs != nil {
		c.NSGIDs = slices.Clone(p.NSGIDs)
	}
	if p.SyslogURL != nil {
		c.SyslogURL = p.SyslogURL
	}
	if p.Trace != nil {
		c.Trace = p.Trace
	}
	if p.LineFormat != nil {
		c.LineFormat = *p.LineFormat
	}
	if p.ImagePolicy != nil {
		c.ImagePolicy = p.ImagePolicy
	}
	if p.FreeformTags != nil {
		c.FreeformTags = maps.Clone(p.FreeformTags)
	}
	if p.DefinedTags != nil {
		c.DefinedTags = fnCloneNested(p.DefinedTags)
	}
	if p.SecurityAttributes != nil {
		c.SecurityAttributes = fnCloneNested(p.SecurityAttributes)
	}
	return c
}

// clone returns a deep copy of f.
func (f *fnFunc) clone() *fnFunc {
	c := *f
	c.Config = maps.Clone(f.Config)
	c.FreeformTags = maps.Clone(f.FreeformTags)
	c.DefinedTags = fnCloneNested(f.DefinedTags)
	if f.DetachedTimeoutSeconds != nil {
		d := *f.DetachedTimeoutSeconds
		c.DetachedTimeoutSeconds = &d
	}
	return &c
}

// apply returns a copy of f with the patch applied. When the patch changes
// the image, the caller sets the digest it resolved (prepareUpdateFunction).
func (f *fnFunc) apply(p fnFuncPatch) *fnFunc {
	c := f.clone()
	if p.Image != nil {
		c.Image = *p.Image
	}
	if p.ImageDigest != nil {
		c.ImageDigest = *p.ImageDigest
	}
	if p.MemoryMB != nil {
		c.MemoryMB = *p.MemoryMB
	}
	if p.TimeoutSeconds != nil {
		c.TimeoutSeconds = *p.TimeoutSeconds
	}
	if p.DetachedTimeoutSeconds != nil {
		d := *p.DetachedTimeoutSeconds
		c.DetachedTimeoutSeconds = &d
	}
	if p.PCU != nil {
		c.PCU = *p.PCU
	}
	if p.Config != nil {
		c.Config = maps.Clone(p.Config)
	}
	if p.TraceEnabled != nil {
		c.TraceEnabled = *p.TraceEnabled
	}
	if p.FailureDestination != nil {
		c.FailureDestination = p.FailureDestination
	}
	if p.SuccessDestination != nil {
		c.SuccessDestination = p.SuccessDestination
	}
	if p.FreeformTags != nil {
		c.FreeformTags = maps.Clone(p.FreeformTags)
	}
	if p.DefinedTags != nil {
		c.DefinedTags = fnCloneNested(p.DefinedTags)
	}
	return c
}

// fnCloneNested copies a two-level tag map (defined tags, security
// attributes); the leaf values are JSON scalars, shared safely.
func fnCloneNested(m map[string]map[string]any) map[string]map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]map[string]any, len(m))
	for k, v := range m {
		c[k] = maps.Clone(v)
	}
	return c
}

// fnOrEmpty returns m, or an empty map when m is nil (OCI answers {} for
// unset maps).
func fnOrEmpty[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}
