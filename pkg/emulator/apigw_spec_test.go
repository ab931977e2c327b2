package emulator

import (
	"encoding/json"
	"go/token"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/stretchr/testify/require"
)

// apigwPlainJSON is v as generic JSON without null members and empty
// lists: the form in which a specification the SDK sent and one it read
// back compare equal (the SDK decodes an absent list as an empty one).
func apigwPlainJSON(t *testing.T, v any) any {
	t.Helper()
	data, ok := v.([]byte)
	if !ok {
		var err error
		data, err = json.Marshal(v)
		require.NoError(t, err)
	}
	var out any
	require.NoError(t, json.Unmarshal(data, &out))
	return apigwDropNulls(out)
}

func apigwDropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if l, ok := x.([]any); x == nil || ok && len(l) == 0 {
				delete(v, k)
				continue
			}
			v[k] = apigwDropNulls(x)
		}
	case []any:
		for i := range v {
			v[i] = apigwDropNulls(v[i])
		}
	}
	return v
}

// TestAPIGatewaySpecificationRoundTrip: a specification using every
// polymorphic type of the model comes back from GetDeployment as it was
// sent, member for member.
func TestAPIGatewaySpecificationRoundTrip(t *testing.T) {
	t.Parallel()
	c, clock := startAPIGW(t)
	file := apigwTestdata(t, "kitchen-sink.json")
	d := c.createDetails("/all")
	d.Specification = apigwSpecFrom(t, file)
	got := c.createActive(t, clock, d)
	if diff := cmp.Diff(apigwPlainJSON(t, file), apigwPlainJSON(t, got.Specification)); diff != "" {
		t.Fatalf("GetDeployment().Specification differs from what was sent (-sent +got):\n%s", diff)
	}
}

// TestAPIGatewayEnumCase: enum values are accepted in any case and stored
// in their canonical case (the one normalisation, README-apigateway.md).
func TestAPIGatewayEnumCase(t *testing.T) {
	t.Parallel()
	c, clock := startAPIGW(t)
	file := apigwTestdata(t, "kitchen-sink.json")
	var generic any
	require.NoError(t, json.Unmarshal(file, &generic))
	swapped := apigwSwapEnumCase(generic, "")
	require.Greater(t, swapped, 20)
	sent, err := json.Marshal(generic)
	require.NoError(t, err)
	require.NotEmpty(t, cmp.Diff(apigwPlainJSON(t, file), apigwPlainJSON(t, sent)))

	d := c.createDetails("/case")
	d.Specification = apigwSpecFrom(t, sent)
	got := c.createActive(t, clock, d)
	if diff := cmp.Diff(apigwPlainJSON(t, file), apigwPlainJSON(t, got.Specification)); diff != "" {
		t.Fatalf("GetDeployment().Specification differs from what was sent (-sent +got):\n%s", diff)
	}
}

// apigwSwapEnumCase swaps the case of every enum value in a generic
// specification and returns how many it changed.
func apigwSwapEnumCase(v any, parent string) int {
	enumKeys := map[string]bool{"methods": true, "logLevel": true, "rateKey": true, "validationMode": true, "ifExists": true,
		"responseType": true, "kty": true, "use": true, "key_ops": true}
	swap := func(s string) string {
		if strings.ToUpper(s) == s {
			return strings.ToLower(s)
		}
		return strings.ToUpper(s)
	}
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			isEnum := enumKeys[k] || k == "type" && (parent == "filterHeaders" || parent == "filterQueryParameters")
			switch x := x.(type) {
			case string:
				if isEnum {
					v[k] = swap(x)
					n++
				}
			case []any:
				for i, e := range x {
					if s, ok := e.(string); ok && isEnum {
						x[i] = swap(s)
						n++
					}
				}
				n += apigwSwapEnumCase(x, k)
			default:
				n += apigwSwapEnumCase(x, k)
			}
		}
	case []any:
		for _, x := range v {
			n += apigwSwapEnumCase(x, parent)
		}
	}
	return n
}

// TestAPIGatewayWalkTablesCoverTheModel: every enum and polymorphic type
// the kitchen-sink specification reaches is in the walk's tables, and the
// file uses every discriminator value the SDK knows.
func TestAPIGatewayWalkTablesCoverTheModel(t *testing.T) {
	t.Parallel()
	spec := apigwSpecFrom(t, apigwTestdata(t, "kitchen-sink.json"))
	enums := map[reflect.Type]bool{}
	unions := map[reflect.Type]map[reflect.Type]bool{}
	apigwCollectTypes(reflect.ValueOf(spec).Elem(), enums, unions)
	for _, d := range []any{apigateway.CreateDeploymentDetails{}, apigateway.UpdateDeploymentDetails{}} {
		apigwCollectTypes(reflect.ValueOf(d), enums, unions)
	}
	apigwCollectTypes(reflect.ValueOf(apigateway.AddResourceLockDetails{}), enums, unions)
	for e := range enums {
		require.Contains(t, apigwEnums, e, "enum %v has no canonical values in apigwEnums", e)
	}
	for e := range apigwEnums {
		require.True(t, enums[e], "enum %v of apigwEnums is not used by the kitchen sink", e)
	}
	require.Len(t, unions, len(apigwUnions))
	for iface, concrete := range unions {
		values, ok := apigwUnions[iface]
		require.True(t, ok, "interface %v is not in apigwUnions", iface)
		require.Len(t, concrete, len(values), "the kitchen sink uses %d of the %d types of %v", len(concrete), len(values), iface)
	}
}

// apigwCollectTypes records the enum types and, per interface, the
// concrete types reached from v.
func apigwCollectTypes(v reflect.Value, enums map[reflect.Type]bool, unions map[reflect.Type]map[reflect.Type]bool) {
	t := v.Type()
	if t.Kind() == reflect.String && t.PkgPath() == apigwPkgPath && strings.HasSuffix(t.Name(), "Enum") {
		enums[t] = true
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			apigwCollectTypes(reflect.New(t.Elem()).Elem(), enums, unions)
			return
		}
		apigwCollectTypes(v.Elem(), enums, unions)
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		if t.PkgPath() == apigwPkgPath && token.IsExported(t.Name()) {
			if unions[t] == nil {
				unions[t] = map[reflect.Type]bool{}
			}
			unions[t][v.Elem().Type()] = true
		}
		apigwCollectTypes(v.Elem(), enums, unions)
	case reflect.Struct:
		if t == apigwSDKTime {
			return
		}
		for i := range v.NumField() {
			if t.Field(i).IsExported() {
				apigwCollectTypes(v.Field(i), enums, unions)
			}
		}
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			apigwCollectTypes(reflect.New(t.Elem()).Elem(), enums, unions)
		}
		if v.Kind() == reflect.Slice {
			for i := range v.Len() {
				apigwCollectTypes(v.Index(i), enums, unions)
			}
			return
		}
		for _, k := range v.MapKeys() {
			apigwCollectTypes(v.MapIndex(k), enums, unions)
		}
	}
}

// TestAPIGatewayTagsRoundTrip: freeform and defined tags (release
// pointers live in them) come back exactly as given, and an update
// replaces them whole.
func TestAPIGatewayTagsRoundTrip(t *testing.T) {
	t.Parallel()
	c, clock := startAPIGW(t)
	d := c.createDetails("/tags")
	d.FreeformTags = map[string]string{
		"osa-managed": "true", "osa-release": "v1.4.2", "osa-commit": "0123456789abcdef",
		"osa-active-slot": "green", "osa-digests": `{"orders":"sha256:aa"}`, "osa-lease": "holder=ci;until=2026-11-25T00:00:00Z",
		"Mixed-Case Key": "  spaces kept  ", "empty": "",
	}
	d.DefinedTags = map[string]map[string]interface{}{"Operations": {"CostCenter": "42", "Count": 3.5, "On": true}}
	got := c.createActive(t, clock, d)
	require.Equal(t, d.FreeformTags, got.FreeformTags)
	require.Equal(t, d.DefinedTags, got.DefinedTags)

	bare := c.createActive(t, clock, c.createDetails("/bare"))
	require.Equal(t, map[string]string{}, bare.FreeformTags, "absent tags are {}")
	require.Equal(t, map[string]map[string]interface{}{}, bare.DefinedTags)

	list := c.raw(t, "GET", "/20190501/deployments?compartmentId="+c.s.Info().CompartmentID+"&displayName=api-tags", nil, nil)
	var coll apigateway.DeploymentCollection
	require.NoError(t, json.Unmarshal(list.Body, &coll))
	require.Len(t, coll.Items, 1)
	require.Equal(t, d.FreeformTags, coll.Items[0].FreeformTags)

	up := apigateway.UpdateDeploymentDetails{FreeformTags: map[string]string{"osa-managed": "true"}, DefinedTags: map[string]map[string]interface{}{}}
	_, err := c.dep.UpdateDeployment(t.Context(), apigateway.UpdateDeploymentRequest{DeploymentId: got.Id, UpdateDeploymentDetails: up})
	require.NoError(t, err)
	clock.add(100 * time.Millisecond)
	after := c.get(t, *got.Id)
	require.Equal(t, up.FreeformTags, after.FreeformTags)
	require.Equal(t, up.DefinedTags, after.DefinedTags)
}
