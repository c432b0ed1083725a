/**
 * `@grimnir/core` — the domain model, contracts and reference adapters every
 * other Grimnir package builds on.
 *
 * @packageDocumentation
 */

// --- errors, ids, time, priority ---
export { GrimnirError, isGrimnirError } from "./errors.js";
export type { ErrorCode, ErrorDetails, GrimnirErrorOptions } from "./errors.js";
export { newId } from "./ids.js";
export { SystemTimeSource, ManualTimeSource } from "./time.js";
export type { TimeSource } from "./time.js";
export {
  Priority,
  PRIORITY_NAMES,
  priorityName,
  isPriority,
  canPreempt,
  resolveOnAir,
} from "./priority.js";
export type { PriorityName, PrioritySource } from "./priority.js";

// --- domain model ---
export type { Entity, StationScoped, NewEntity } from "./model/entity.js";
export type {
  Station,
  Mount,
  Output,
  AudioFormat,
  IcecastOutput,
  HttpStreamOutput,
  HlsOutput,
  RecordingOutput,
} from "./model/station.js";
export { playableDurationMs } from "./model/media.js";
export type { MediaItem, AnalysisStatus } from "./model/media.js";
export type { Playlist } from "./model/playlist.js";
export type {
  SmartBlock,
  MediaField,
  MediaFilter,
  FilterValue,
  SmartBlockSort,
  SmartBlockLimit,
  SmartBlockQuota,
  RotationRules,
  FillRule,
} from "./model/smart-block.js";
export type { Clock, ClockSlot, ClockSlotKind, EventTiming } from "./model/clock.js";
export type { Show, Override } from "./model/show.js";
export type { ScheduleEntry, ScheduleEntryKind, PlayHistory } from "./model/schedule.js";
export type { Webstream, WebstreamHealth } from "./model/webstream.js";
export type { LiveToken, LiveSession, LiveSessionState } from "./model/live.js";
export { hasRole } from "./model/user.js";
export type { User, Role, RoleGrant } from "./model/user.js";
export { EXECUTOR_STATES } from "./model/executor-state.js";
export type { ExecutorState, ExecutorStateName, PersistedSource } from "./model/executor-state.js";

// --- contracts ---
export type {
  Store,
  Repositories,
  StationRepository,
  GlobalRepository,
  MediaRepository,
  MediaQuery,
  ScheduleRepository,
  PlayHistoryRepository,
  UserRepository,
  LiveTokenRepository,
  ExecutorStateRepository,
  Page,
  Update,
  TimeRange,
} from "./contracts/store.js";
export { TOPICS, EVENT_ENVELOPE_VERSION } from "./contracts/bus.js";
export type {
  EventBus,
  EventMap,
  Topic,
  BusEvent,
  EventHandler,
  Subscription,
  BusHealth,
} from "./contracts/bus.js";
export type { Coordinator, Lease, LeaseChange } from "./contracts/coordinator.js";
export type {
  MediaEngine,
  PlayRequest,
  FadeCurve,
  DspGraph,
  DspNodeSpec,
  EngineStatus,
  EngineStationStatus,
  TelemetrySample,
} from "./contracts/engine.js";
export type {
  Importer,
  ImportPlan,
  ImportReport,
  ImportAction,
  ImportProgress,
  ImportContext,
} from "./contracts/importer.js";

// --- adapter registry ---
export { AdapterRegistry, adapters } from "./registry.js";
export type { AdapterFactory, AdapterKind } from "./registry.js";

// --- configuration and DSP node types ---
export { defineDspNode } from "./dsp/node-type.js";
export type {
  DspNodeType,
  DspNodeDefinition,
  DspNodeInstance,
  DspNodeFactory,
  DspParamsCheck,
  DspParamsSchema,
} from "./dsp/node-type.js";
export { DspNodeRegistry } from "./dsp/registry.js";
export type { DspNodeProblem, DspValidateOptions } from "./dsp/registry.js";
export { dspNodes, builtinDspNodes } from "./dsp/builtins.js";
export type {
  SourceParams,
  SinkParams,
  LoudnessNormalizeParams,
  AgcParams,
  CompressorParams,
  LimiterParams,
  EqualizerParams,
  EqualizerBand,
  GateParams,
  SilenceDetectorParams,
  LevelMeterParams,
  MixParams,
  DuckParams,
} from "./dsp/builtins.js";
export { stationConfigSchema, STATION_CONFIG_SCHEMA_ID } from "./config/schema.js";
export type { JsonSchema, JsonType } from "./config/json-schema.js";
export { loadStationConfig, parseStationConfig } from "./config/loader.js";
export { MP3_DECODER_DELAY, id3v2TagSize, parseMp3Gapless } from "./media/mp3-gapless.js";
export type { Mp3Gapless } from "./media/mp3-gapless.js";
export { formatProblem } from "./config/problems.js";
export type { ConfigProblem } from "./config/problems.js";
export type {
  StationConfig,
  StationConfigResult,
  StationSettings,
  MountConfig,
  FailoverConfig,
  CrossfadeConfig,
  LoadOptions,
} from "./config/station-config.js";
export type {
  ProgrammingConfig,
  ClockConfig,
  SmartBlockConfig,
  PlaylistConfig,
  ShowConfig,
  OverrideConfig,
  WebstreamConfig,
  ClockAssignmentConfig,
  PlannerConfig,
  Configured,
} from "./config/programming.js";
export { rruleSyntaxProblem } from "./config/rrule-syntax.js";
export { renderConfigReference } from "./config/reference.js";
export type { ReferenceOptions } from "./config/reference.js";

// --- reference adapters (memory/) ---
export {
  MemoryStore,
  MemoryBus,
  MemoryBusHub,
  MemoryCoordinator,
  MemoryCoordinatorHub,
  matchesMediaFilter,
  matchesMediaFilters,
  matchesMediaText,
  matchesMediaQuery,
  compareMediaBy,
  registerMemoryAdapters,
} from "./memory/index.js";
export type {
  MemoryStoreOptions,
  MemoryBusOptions,
  BusHandlerErrorReporter,
  MemoryCoordinatorOptions,
} from "./memory/index.js";

import { adapters as processAdapters } from "./registry.js";
import { registerMemoryAdapters as registerMemory } from "./memory/index.js";
registerMemory(processAdapters);
