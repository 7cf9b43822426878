export { hashPassword, verifyPassword } from './passwords.ts';
export { createOperatorsService, type OperatorsServiceOptions } from './service.ts';
export type { DashboardSession, OpenedSession, Operator, OperatorsService, SignIn } from './types.ts';
