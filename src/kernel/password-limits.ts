/** Password length limits, in Unicode code points: the policy's, and the range of the PASSWORD_MIN_LENGTH setting. */
export const PASSWORD_MAX_LENGTH = 128;
export const PASSWORD_DEFAULT_MIN_LENGTH = 12;
/** The configurable minimum (PASSWORD_MIN_LENGTH) never goes below this. */
export const PASSWORD_FLOOR_MIN_LENGTH = 8;
