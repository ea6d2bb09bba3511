/** The embedded MQTT broker and its pieces other modules use. */
export { loadBrokerConfig, type BrokerOptions, type BrokerTlsOptions } from './config';
export { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker';
export { canPublish, canReceive, canSubscribe, saldoTopic } from './acl';
export { BROKER_LIMITS, type BrokerLimits } from './limits';
export { ROLES, type Authenticator, type Principal, type Role } from './principal';
export { readUsersFile, writeUsersFile, parseUsers, type UserRecord } from './users-file';
export { runBrokerUserAdd } from './users-cli';
export { devServiceFile, loadDevServiceCredential, DEV_SERVICE_USERNAME, type DevServiceCredential } from './dev-service';
