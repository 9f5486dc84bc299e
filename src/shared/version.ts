/** The action's name and version, sent as the User-Agent. A test keeps it equal to package.json. */
export const ACTION_NAME = 'wait-for-memos-task'
export const ACTION_VERSION = '1.1.0'
export const USER_AGENT = `${ACTION_NAME}/${ACTION_VERSION} (GitHub Action; +https://github.com/memos-ci/wait-for-memos-task)`
