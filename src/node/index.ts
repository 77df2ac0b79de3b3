export {
  ADMINISTRATION_ID,
  parseAdministration,
  readConfig,
  writeConfig,
  type DeclarationSettings,
  type NodeConfig,
} from './config.js';
export {
  initNode,
  openNode,
  findRunningNode,
  writeRunMarker,
  removeRunMarker,
  KEY_FILES,
  SQLITE_FILE,
  type NodeContext,
  type InitOptions,
  type OpenOptions,
  type RunningNode,
} from './home.js';
export { ALL_MIGRATIONS } from './migrations.js';
export { startCheckpointSchedule, DEFAULT_CHECKPOINT_INTERVAL_SECONDS } from './checkpoint-schedule.js';
export { agreementLogEvents, agreementEntry, declarationLogReplay } from './log-producers.js';
export { httpWitnessClient, WITNESS_PATH } from './witness-client.js';
export { VERSION } from './version.js';
export { nodeMember } from './member.js';
