package emulator

import (
	"fmt"
	"go/token"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
)

// The SDK decodes a request with its own model types, but it is lenient
// where the service is not: an unknown discriminator value ("type":
// "NOPE") silently becomes an unexported placeholder type, an absent
// mandatory field is nil, and an enum field takes any string. apigwWalk
// goes over a decoded model by reflection and refuses all three with a
// 400 naming the field by its JSON path (e.g.
// specification.routes[2].backend.type). It also applies the one
// normalisation the emulator makes: enum values are accepted in any case
// and stored in their canonical case (README-apigateway.md).

var apigwPkgPath = reflect.TypeOf(apigateway.Deployment{}).PkgPath()

// apigwUnions lists, for each polymorphic interface of the specification,
// the discriminator values the SDK knows.
var apigwUnions = map[reflect.Type][]string{
	apigwIface[apigateway.AuthenticationPolicy]():                apigateway.GetAuthenticationPolicyTypeEnumStringValues(),
	apigwIface[apigateway.PublicKeySet]():                        apigateway.GetPublicKeySetTypeEnumStringValues(),
	apigwIface[apigateway.StaticPublicKey]():                     apigateway.GetStaticPublicKeyFormatEnumStringValues(),
	apigwIface[apigateway.TokenAuthenticationValidationPolicy](): apigateway.GetTokenAuthenticationValidationPolicyTypeEnumStringValues(),
	apigwIface[apigateway.ValidationFailurePolicy]():             apigateway.GetValidationFailurePolicyTypeEnumStringValues(),
	apigwIface[apigateway.ClientAppDetails]():                    apigateway.GetClientAppDetailsTypeEnumStringValues(),
	apigwIface[apigateway.SourceUriDetails]():                    apigateway.GetSourceUriDetailsTypeEnumStringValues(),
	apigwIface[apigateway.ApiSpecificationRouteBackend]():        apigateway.GetApiSpecificationRouteBackendTypeEnumStringValues(),
	apigwIface[apigateway.SelectionSourcePolicy]():               apigateway.GetSelectionSourcePolicyTypeEnumStringValues(),
	apigwIface[apigateway.DynamicSelectionKey]():                 apigateway.GetDynamicSelectionKeyTypeEnumStringValues(),
	apigwIface[apigateway.RouteAuthorizationPolicy]():            apigateway.GetRouteAuthorizationPolicyTypeEnumStringValues(),
	apigwIface[apigateway.ContentValidation]():                   apigateway.GetContentValidationValidationTypeEnumStringValues(),
	apigwIface[apigateway.ResponseCacheLookupPolicy]():           apigateway.GetResponseCacheLookupPolicyTypeEnumStringValues(),
	apigwIface[apigateway.ResponseCacheStorePolicy]():            apigateway.GetResponseCacheStorePolicyTypeEnumStringValues(),
}

// apigwEnums lists, for each enum type of the request models, its values
// in canonical case.
var apigwEnums = map[reflect.Type][]string{
	reflect.TypeFor[apigateway.ApiSpecificationRouteMethodsEnum]():                        apigateway.GetApiSpecificationRouteMethodsEnumStringValues(),
	reflect.TypeFor[apigateway.BodyValidationRequestPolicyValidationModeEnum]():           apigateway.GetBodyValidationRequestPolicyValidationModeEnumStringValues(),
	reflect.TypeFor[apigateway.HeaderValidationRequestPolicyValidationModeEnum]():         apigateway.GetHeaderValidationRequestPolicyValidationModeEnumStringValues(),
	reflect.TypeFor[apigateway.QueryParameterValidationRequestPolicyValidationModeEnum](): apigateway.GetQueryParameterValidationRequestPolicyValidationModeEnumStringValues(),
	reflect.TypeFor[apigateway.ExecutionLogPolicyLogLevelEnum]():                          apigateway.GetExecutionLogPolicyLogLevelEnumStringValues(),
	reflect.TypeFor[apigateway.FilterHeaderPolicyTypeEnum]():                              apigateway.GetFilterHeaderPolicyTypeEnumStringValues(),
	reflect.TypeFor[apigateway.FilterQueryParameterPolicyTypeEnum]():                      apigateway.GetFilterQueryParameterPolicyTypeEnumStringValues(),
	reflect.TypeFor[apigateway.SetHeaderPolicyItemIfExistsEnum]():                         apigateway.GetSetHeaderPolicyItemIfExistsEnumStringValues(),
	reflect.TypeFor[apigateway.SetQueryParameterPolicyItemIfExistsEnum]():                 apigateway.GetSetQueryParameterPolicyItemIfExistsEnumStringValues(),
	reflect.TypeFor[apigateway.JsonWebKeyKtyEnum]():                                       apigateway.GetJsonWebKeyKtyEnumStringValues(),
	reflect.TypeFor[apigateway.JsonWebKeyUseEnum]():                                       apigateway.GetJsonWebKeyUseEnumStringValues(),
	reflect.TypeFor[apigateway.JsonWebKeyKeyOpsEnum]():                                    apigateway.GetJsonWebKeyKeyOpsEnumStringValues(),
	reflect.TypeFor[apigateway.OAuth2ResponseValidationFailurePolicyResponseTypeEnum]():   apigateway.GetOAuth2ResponseValidationFailurePolicyResponseTypeEnumStringValues(),
	reflect.TypeFor[apigateway.RateLimitingPolicyRateKeyEnum]():                           apigateway.GetRateLimitingPolicyRateKeyEnumStringValues(),
	reflect.TypeFor[apigateway.AddResourceLockDetailsTypeEnum]():                          apigateway.GetAddResourceLockDetailsTypeEnumStringValues(),
}

func apigwIface[T any]() reflect.Type { return reflect.TypeFor[T]() }

var apigwSDKTime = reflect.TypeFor[common.SDKTime]()

// apigwWalkModel checks and normalises a decoded request model in place;
// v is a pointer to it.
func apigwWalkModel(v any) *apiError {
	return apigwWalk(reflect.ValueOf(v).Elem(), "")
}

// apigwWalk checks v (addressable or not) at path; it returns the first
// problem in document order. Normalisations are written back where v is
// settable: the callers copy interface and map values into settable ones.
func apigwWalk(v reflect.Value, path string) *apiError {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return apigwWalk(v.Elem(), path)
	case reflect.Interface:
		if v.IsNil() {
			return nil
		}
		inner := v.Elem()
		if err := apigwCheckUnion(v.Type(), inner, path); err != nil {
			return err
		}
		if !apigwInteresting(inner.Type()) {
			return nil
		}
		cp := reflect.New(inner.Type()).Elem()
		cp.Set(inner)
		if err := apigwWalk(cp, path); err != nil {
			return err
		}
		if v.CanSet() {
			v.Set(cp)
		}
		return nil
	case reflect.Struct:
		return apigwWalkStruct(v, path)
	case reflect.Slice:
		if !apigwInteresting(v.Type().Elem()) {
			return nil
		}
		for i := range v.Len() {
			p := path + "[" + strconv.Itoa(i) + "]"
			if err := apigwEnum(v.Index(i), p); err != nil {
				return err
			}
			if err := apigwWalk(v.Index(i), p); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String || !apigwInteresting(v.Type().Elem()) {
			return nil
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		for _, k := range keys {
			cp := reflect.New(v.Type().Elem()).Elem()
			cp.Set(v.MapIndex(k))
			if err := apigwWalk(cp, path+"["+strconv.Quote(k.String())+"]"); err != nil {
				return err
			}
			v.SetMapIndex(k, cp)
		}
		return nil
	}
	return nil
}

// apigwWalkStruct checks the fields of a model struct in order: mandatory
// fields present, enum values known, then each field's own content.
func apigwWalkStruct(v reflect.Value, path string) *apiError {
	t := v.Type()
	if t == apigwSDKTime {
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		p := name
		if path != "" {
			p = path + "." + name
		}
		fv := v.Field(i)
		if f.Tag.Get("mandatory") == "true" && apigwMissing(fv) {
			return errMissing(p)
		}
		if err := apigwEnum(fv, p); err != nil {
			return err
		}
		if err := apigwWalk(fv, p); err != nil {
			return err
		}
	}
	return nil
}

// apigwMissing reports whether a mandatory field is absent. The SDK's
// decoders turn an absent list into an empty one, so empty lists and maps
// count as absent too.
func apigwMissing(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.String:
		return v.Len() == 0
	}
	return false
}

// apigwEnum checks an enum value and stores it in canonical case.
func apigwEnum(v reflect.Value, path string) *apiError {
	values, ok := apigwEnums[v.Type()]
	if !ok || v.Len() == 0 {
		return nil
	}
	for _, canon := range values {
		if strings.EqualFold(canon, v.String()) {
			if v.CanSet() {
				v.SetString(canon)
			}
			return nil
		}
	}
	return errBadRequest("%s %q is not a supported value; use one of %s", path, v.String(), strings.Join(values, ", "))
}

// apigwCheckUnion refuses a polymorphic value whose discriminator the SDK
// did not recognise: it decoded it into its unexported placeholder type.
func apigwCheckUnion(iface reflect.Type, inner reflect.Value, path string) *apiError {
	t := inner.Type()
	if t.PkgPath() != apigwPkgPath || token.IsExported(t.Name()) || t.Kind() != reflect.Struct {
		return nil
	}
	key, value := "type", ""
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && inner.Field(i).Kind() == reflect.String {
			key, value = name, inner.Field(i).String()
		}
	}
	field := key
	if path != "" {
		field = path + "." + key
	}
	if value == "" {
		return errMissing(field)
	}
	msg := fmt.Sprintf("%s %q is not a supported value", field, value)
	if values := apigwUnions[iface]; len(values) > 0 {
		msg += "; use one of " + strings.Join(values, ", ")
	}
	return errBadRequest("%s", msg)
}

// apigwInteresting reports whether values of t can hold anything the walk
// checks: types of the apigateway package, directly or as elements.
func apigwInteresting(t reflect.Type) bool {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
			continue
		}
		return t.PkgPath() == apigwPkgPath
	}
}
