import{createRequire as __mcfpipeRequire}from'node:module';const require=__mcfpipeRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./chunk-DUPQPDMA.js";import"./chunk-W7GBWIVH.js";import"./chunk-W434F3F6.js";import"./chunk-PLBUVV3N.js";export{f as ENV_ACCOUNT_ID,e as ENV_CREDENTIAL_SCOPE,d as ENV_EXPIRATION,a as ENV_KEY,b as ENV_SECRET,c as ENV_SESSION,g as fromEnv};
