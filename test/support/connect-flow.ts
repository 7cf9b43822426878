/** The headless connect of `patchbay demo`, which the e2e tests drive too. */
export {
  connectHeadless,
  type HeadlessConnectOptions,
  type HeadlessConnectResult,
} from '../../src/cli/demo/headless-connect.ts';
