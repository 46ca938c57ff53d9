// The part of ua-parser-js 1.0 (MIT; it ships no types) that user-agent.ts uses. Version 2 is
// AGPL-licensed and is not used.
declare module 'ua-parser-js' {
  export interface UAParserPart {
    name?: string;
    version?: string;
  }

  export class UAParser {
    constructor(ua?: string);
    getBrowser(): UAParserPart & { major?: string };
    getOS(): UAParserPart;
  }
}
