package emulator

import (
	"strconv"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
)

// fnAPI20260325 is the Functions API of oci-go-sdk v65.126.0 and later:
// a function's image and digest are in sourceDetails (sourceType
// CONTAINER_IMAGE), and creates, updates and deletes answer with a work
// request. The SDK's own model types are the wire format: their
// UnmarshalJSON resolves the discriminators (sourceType, strategy, kind).
type fnAPI20260325 struct{}

var _ fnAPIVersion = fnAPI20260325{}

func (fnAPI20260325) base() string { return functionsBase }

func (fnAPI20260325) decodeCreateApplication(body []byte) (fnAppSpec, *apiError) {
	var d functions.CreateApplicationDetails
	if err := fnDecodeJSON(body, &d); err != nil {
		return fnAppSpec{}, err
	}
	if d.CompartmentId == nil {
		return fnAppSpec{}, errMissing("compartmentId")
	}
	if d.DisplayName == nil {
		return fnAppSpec{}, errMissing("displayName")
	}
	if len(d.SubnetIds) == 0 {
		return fnAppSpec{}, errMissing("subnetIds")
	}
	spec := fnAppSpec{
		CompartmentID: *d.CompartmentId, DisplayName: *d.DisplayName, SubnetIDs: d.SubnetIds,
		Shape: string(d.Shape), Config: d.Config, NSGIDs: d.NetworkSecurityGroupIds, SyslogURL: d.SyslogUrl,
		FreeformTags: d.FreeformTags, DefinedTags: d.DefinedTags, SecurityAttributes: d.SecurityAttributes,
	}
	if d.TraceConfig != nil {
		spec.Trace = &fnAppTrace{Enabled: fnDeref(d.TraceConfig.IsEnabled), DomainID: d.TraceConfig.DomainId}
	}
	if d.Logging != nil {
		spec.LineFormat = string(d.Logging.LineFormat)
	}
	p, err := fnImagePolicyOf(d.ImagePolicyConfig)
	spec.ImagePolicy = p
	return spec, err
}

func (fnAPI20260325) decodeUpdateApplication(body []byte) (fnAppPatch, *apiError) {
	var d functions.UpdateApplicationDetails
	if err := fnDecodeJSON(body, &d); err != nil {
		return fnAppPatch{}, err
	}
	if err := fnRefuseKeys(body, "compartmentId", "displayName", "subnetIds", "shape"); err != nil {
		return fnAppPatch{}, err
	}
	p := fnAppPatch{
		Config: d.Config, NSGIDs: d.NetworkSecurityGroupIds, SyslogURL: d.SyslogUrl,
		FreeformTags: d.FreeformTags, DefinedTags: d.DefinedTags, SecurityAttributes: d.SecurityAttributes,
	}
	if d.TraceConfig != nil {
		p.Trace = &fnAppTrace{Enabled: fnDeref(d.TraceConfig.IsEnabled), DomainID: d.TraceConfig.DomainId}
	}
	if d.Logging != nil {
		lf := string(d.Logging.LineFormat)
		p.LineFormat = &lf
	}
	ip, err := fnImagePolicyOf(d.ImagePolicyConfig)
	p.ImagePolicy = ip
	return p, err
}

func fnImagePolicyOf(c *functions.ImagePolicyConfig) (*fnImagePolicy, *apiError) {
	if c == nil {
		return nil, nil
	}
	if c.IsPolicyEnabled == nil {
		return nil, errMissing("imagePolicyConfig.isPolicyEnabled")
	}
	p := &fnImagePolicy{Enabled: *c.IsPolicyEnabled}
	for i, k := range c.KeyDetails {
		if k.KmsKeyId == nil || *k.KmsKeyId == "" {
			return nil, errMissing("imagePolicyConfig.keyDetails[" + strconv.Itoa(i) + "].kmsKeyId")
		}
		p.KMSKeyIDs = append(p.KMSKeyIDs, *k.KmsKeyId)
	}
	return p, nil
}

func (fnAPI20260325) decodeCreateFunction(body []byte) (fnFuncSpec, *apiError) {
	var d functions.CreateFunctionDetails
	if err := fnDecodeJSON(body, &d); err != nil {
		return fnFuncSpec{}, err
	}
	switch {
	case d.DisplayName == nil:
		return fnFuncSpec{}, errMissing("displayName")
	case d.ApplicationId == nil:
		return fnFuncSpec{}, errMissing("applicationId")
	case d.MemoryInMBs == nil:
		return fnFuncSpec{}, errMissing("memoryInMBs")
	}
	spec := fnFuncSpec{
		ApplicationID: *d.ApplicationId, DisplayName: *d.DisplayName, MemoryMB: *d.MemoryInMBs,
		TimeoutSeconds: fnDefaultTimeout, DetachedTimeoutSeconds: d.DetachedModeTimeoutInSeconds,
		PCU: fnPCU{Strategy: fnPCUNone}, Config: d.Config,
		FailureDestination: d.FailureDestination, SuccessDestination: d.SuccessDestination,
		FreeformTags: d.FreeformTags, DefinedTags: d.DefinedTags,
	}
	switch v := d.SourceDetails.(type) {
	case nil:
		return fnFuncSpec{}, errMissing("sourceDetails")
	case functions.CreateContainerImageFunctionSourceDetails:
		if v.Image == nil || *v.Image == "" {
			return fnFuncSpec{}, errMissing("sourceDetails.image")
		}
		spec.Image, spec.ImageDigest = *v.Image, fnDeref(v.ImageDigest)
	case functions.CreateArchiveFunctionSourceDetails, functions.CreatePreBuiltFunctionSourceDetails:
		return fnFuncSpec{}, fnUnsupportedSource(d.SourceDetails)
	default:
		return fnFuncSpec{}, errBadRequest("sourceDetails.sourceType %s; it must be CONTAINER_IMAGE, ARCHIVE or PRE_BUILT_FUNCTIONS", fnDiscriminator(v, "sourceType"))
	}
	if d.TimeoutInSeconds != nil {
		spec.TimeoutSeconds = *d.TimeoutInSeconds
	}
	if d.TraceConfig != nil {
		spec.TraceEnabled = fnDeref(d.TraceConfig.IsEnabled)
	}
	pcu, err := fnPCUOf(d.ProvisionedConcurrencyConfig)
	if err != nil {
		return fnFuncSpec{}, err
	}
	if pcu != nil {
		spec.PCU = *pcu
	}
	return spec, nil
}

func (fnAPI20260325) decodeUpdateFunction(body []byte) (fnFuncPatch, *apiError) {
	var d functions.UpdateFunctionDetails
	if err := fnDecodeJSON(body, &d); err != nil {
		return fnFuncPatch{}, err
	}
	if err := fnRefuseKeys(body, "applicationId", "displayName"); err != nil {
		return fnFuncPatch{}, err
	}
	p := fnFuncPatch{
		MemoryMB: d.MemoryInMBs, TimeoutSeconds: d.TimeoutInSeconds, DetachedTimeoutSeconds: d.DetachedModeTimeoutInSeconds,
		Config: d.Config, FailureDestination: d.FailureDestination, SuccessDestination: d.SuccessDestination,
		FreeformTags: d.FreeformTags, DefinedTags: d.DefinedTags,
	}
	switch v := d.SourceDetails.(type) {
	case nil:
	case functions.UpdateContainerImageFunctionSourceDetails:
		if v.Image != nil && *v.Image == "" {
			return fnFuncPatch{}, errBadRequest("sourceDetails.image is empty")
		}
		p.Image, p.ImageDigest = v.Image, v.ImageDigest
	case functions.UpdateArchiveFunctionSourceDetails:
		return fnFuncPatch{}, fnUnsupportedSource(d.SourceDetails)
	default:
		return fnFuncPatch{}, errBadRequest("sourceDetails.sourceType %s; it must be CONTAINER_IMAGE or ARCHIVE", fnDiscriminator(v, "sourceType"))
	}
	if d.TraceConfig != nil {
		e := fnDeref(d.TraceConfig.IsEnabled)
		p.TraceEnabled = &e
	}
	pcu, err := fnPCUOf(d.ProvisionedConcurrencyConfig)
	p.PCU = pcu
	return p, err
}

func fnUnsupportedSource(v any) *apiError {
	kind := "ARCHIVE"
	if _, ok := v.(functions.CreatePreBuiltFunctionSourceDetails); ok {
		kind = "PRE_BUILT_FUNCTIONS"
	}
	return errBadRequest("sourceDetails.sourceType %s is not supported by the emulator; use CONTAINER_IMAGE with an image pushed to the emulator's registry", kind)
}

func (fnAPI20260325) application(a *fnApp) any {
	out := functions.Application{
		Id: common.String(a.ID), CompartmentId: common.String(a.CompartmentID), DisplayName: common.String(a.DisplayName),
		LifecycleState: functions.ApplicationLifecycleStateEnum(a.State), Config: fnOrEmpty(a.Config),
		SubnetIds: a.SubnetIDs, Shape: functions.ApplicationShapeEnum(a.Shape), NetworkSecurityGroupIds: a.NSGIDs,
		SyslogUrl: a.SyslogURL, FreeformTags: fnOrEmpty(a.FreeformTags), DefinedTags: fnOrEmpty(a.DefinedTags),
		TimeCreated: fnSDKTime(a.Created), TimeUpdated: fnSDKTime(a.Updated), SecurityAttributes: fnOrEmpty(a.SecurityAttributes),
	}
	out.TraceConfig, out.Logging, out.ImagePolicyConfig = fnAppParts20260325(a)
	return out
}

func fnAppParts20260325(a *fnApp) (*functions.ApplicationTraceConfig, *functions.ApplicationLoggingConfig, *functions.ImagePolicyConfig) {
	trace := &functions.ApplicationTraceConfig{IsEnabled: common.Bool(false)}
	if a.Trace != nil {
		trace = &functions.ApplicationTraceConfig{IsEnabled: common.Bool(a.Trace.Enabled), DomainId: a.Trace.DomainID}
	}
	var logging *functions.ApplicationLoggingConfig
	if a.LineFormat != "" {
		logging = &functions.ApplicationLoggingConfig{LineFormat: functions.ApplicationLoggingConfigLineFormatEnum(a.LineFormat)}
	}
	var policy *functions.ImagePolicyConfig
	if a.ImagePolicy != nil {
		policy = &functions.ImagePolicyConfig{IsPolicyEnabled: common.Bool(a.ImagePolicy.Enabled)}
		for _, k := range a.ImagePolicy.KMSKeyIDs {
			policy.KeyDetails = append(policy.KeyDetails, functions.KeyDetails{KmsKeyId: common.String(k)})
		}
	}
	return trace, logging, policy
}

func (fnAPI20260325) applicationSummary(a *fnApp) any {
	out := functions.ApplicationSummary{
		Id: common.String(a.ID), CompartmentId: common.String(a.CompartmentID), DisplayName: common.String(a.DisplayName),
		LifecycleState: functions.ApplicationLifecycleStateEnum(a.State), SubnetIds: a.SubnetIDs,
		Shape: functions.ApplicationSummaryShapeEnum(a.Shape), NetworkSecurityGroupIds: a.NSGIDs,
		FreeformTags: fnOrEmpty(a.FreeformTags), DefinedTags: fnOrEmpty(a.DefinedTags),
		TimeCreated: fnSDKTime(a.Created), TimeUpdated: fnSDKTime(a.Updated), SecurityAttributes: fnOrEmpty(a.SecurityAttributes),
	}
	out.TraceConfig, out.Logging, out.ImagePolicyConfig = fnAppParts20260325(a)
	return out
}

func fnPCU20260325(p fnPCU) functions.FunctionProvisionedConcurrencyConfig {
	if p.Strategy == fnPCUConstant {
		return functions.ConstantProvisionedConcurrencyConfig{Count: common.Int(p.Count)}
	}
	return functions.NoneProvisionedConcurrencyConfig{}
}

func (fnAPI20260325) function(f *fnFunc, invokeURL string) any {
	return functions.Function{
		Id: common.String(f.ID),
		SourceDetails: functions.ContainerImageFunctionSourceDetails{
			Image: common.String(f.Image), ImageDigest: common.String(f.ImageDigest),
		},
		DisplayName: common.String(f.DisplayName), LifecycleState: functions.FunctionLifecycleStateEnum(f.State),
		ApplicationId: common.String(f.ApplicationID), CompartmentId: common.String(f.CompartmentID),
		Shape: functions.FunctionShapeEnum(f.Shape), MemoryInMBs: common.Int64(f.MemoryMB), Config: fnOrEmpty(f.Config),
		TimeoutInSeconds: common.Int(f.TimeoutSeconds), ProvisionedConcurrencyConfig: fnPCU20260325(f.PCU),
		DetachedModeTimeoutInSeconds: f.DetachedTimeoutSeconds,
		FailureDestination:           f.FailureDestination, SuccessDestination: f.SuccessDestination,
		TraceConfig:  &functions.FunctionTraceConfig{IsEnabled: common.Bool(f.TraceEnabled)},
		FreeformTags: fnOrEmpty(f.FreeformTags), InvokeEndpoint: common.String(invokeURL), DefinedTags: fnOrEmpty(f.DefinedTags),
		TimeCreated: fnSDKTime(f.Created), TimeUpdated: fnSDKTime(f.Updated),
	}
}

func (fnAPI20260325) functionSummary(f *fnFunc, invokeURL string) any {
	return functions.FunctionSummary{
		Id: common.String(f.ID), DisplayName: common.String(f.DisplayName), ApplicationId: common.String(f.ApplicationID),
		CompartmentId: common.String(f.CompartmentID), LifecycleState: functions.FunctionLifecycleStateEnum(f.State),
		SourceDetails: functions.ContainerImageFunctionSourceDetails{
			Image: common.String(f.Image), ImageDigest: common.String(f.ImageDigest),
		},
		Shape: functions.FunctionSummaryShapeEnum(f.Shape), MemoryInMBs: common.Int64(f.MemoryMB),
		TimeoutInSeconds: common.Int(f.TimeoutSeconds), ProvisionedConcurrencyConfig: fnPCU20260325(f.PCU),
		DetachedModeTimeoutInSeconds: f.DetachedTimeoutSeconds,
		FailureDestination:           f.FailureDestination, SuccessDestination: f.SuccessDestination,
		TraceConfig:  &functions.FunctionTraceConfig{IsEnabled: common.Bool(f.TraceEnabled)},
		FreeformTags: fnOrEmpty(f.FreeformTags), InvokeEndpoint: common.String(invokeURL), DefinedTags: fnOrEmpty(f.DefinedTags),
		TimeCreated: fnSDKTime(f.Created), TimeUpdated: fnSDKTime(f.Updated),
	}
}

func fnWRResources20260325(w *workRequest) []functions.WorkRequestResource {
	out := make([]functions.WorkRequestResource, 0, len(w.Resources))
	for _, r := range w.Resources {
		out = append(out, functions.WorkRequestResource{
			EntityType: common.String(r.EntityType), ActionType: functions.ActionTypeEnum(r.ActionType),
			Identifier: common.String(r.Identifier), EntityUri: common.String(r.EntityURI),
		})
	}
	return out
}

// fnWRUpdated is when a work request last changed.
func fnWRUpdated(w *workRequest) *common.SDKTime {
	t := w.Accepted
	for _, u := range []time.Time{w.Started, w.Finished} {
		if u.After(t) {
			t = u
		}
	}
	return fnSDKTime(t)
}

func (fnAPI20260325) workRequest(w *workRequest) any {
	return functions.WorkRequest{
		OperationType: functions.OperationTypeEnum(w.Operation), Status: functions.OperationStatusEnum(w.Status),
		Id: common.String(w.ID), CompartmentId: common.String(w.CompartmentID), Resources: fnWRResources20260325(w),
		PercentComplete: common.Float32(w.Percent()), TimeAccepted: fnSDKTime(w.Accepted),
		TimeStarted: fnSDKTime(w.Started), TimeFinished: fnSDKTime(w.Finished), TimeUpdated: fnWRUpdated(w),
	}
}

func (fnAPI20260325) workRequestSummaries(ws []*workRequest) any {
	items := make([]functions.WorkRequestSummary, 0, len(ws))
	for _, w := range ws {
		items = append(items, functions.WorkRequestSummary{
			OperationType: functions.OperationTypeEnum(w.Operation), Status: functions.OperationStatusEnum(w.Status),
			Id: common.String(w.ID), CompartmentId: common.String(w.CompartmentID), Resources: fnWRResources20260325(w),
			PercentComplete: common.Float32(w.Percent()), TimeAccepted: fnSDKTime(w.Accepted),
			TimeStarted: fnSDKTime(w.Started), TimeFinished: fnSDKTime(w.Finished), TimeUpdated: fnWRUpdated(w),
		})
	}
	return functions.WorkRequestSummaryCollection{Items: items}
}

func (fnAPI20260325) workRequestErrors(ms []wrMessage) any {
	items := make([]functions.WorkRequestError, 0, len(ms))
	for _, m := range ms {
		items = append(items, functions.WorkRequestError{Code: common.String(m.Code), Message: common.String(m.Message), Timestamp: fnSDKTime(m.Time)})
	}
	return functions.WorkRequestErrorCollection{Items: items}
}

func (fnAPI20260325) workRequestLogs(ms []wrMessage) any {
	items := make([]functions.WorkRequestLogEntry, 0, len(ms))
	for _, m := range ms {
		items = append(items, functions.WorkRequestLogEntry{Message: common.String(m.Message), Timestamp: fnSDKTime(m.Time)})
	}
	return functions.WorkRequestLogEntryCollection{Items: items}
}
