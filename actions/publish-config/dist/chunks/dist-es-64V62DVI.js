import{createRequire as __mcfpipeRequire}from'node:module';const require=__mcfpipeRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./chunk-54546L3R.js";import"./chunk-PXCU5WKM.js";import"./chunk-F42HTKKO.js";import"./chunk-KWCQQEK6.js";export{f as ENV_ACCOUNT_ID,e as ENV_CREDENTIAL_SCOPE,d as ENV_EXPIRATION,a as ENV_KEY,b as ENV_SECRET,c as ENV_SESSION,g as fromEnv};
