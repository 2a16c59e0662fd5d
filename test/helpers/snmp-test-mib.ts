import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * snmptable needs a MIB to know a table's columns; numeric OIDs alone give "Was that a table?".
 * These tests describe the table as the original's managers knew it, the three original
 * columns only, to show that such a manager still reads it (mibs/ENVIROWATCH-MIB.txt has every
 * column; test/mib.test.ts covers it). Self-contained (rooted at `iso`, no IMPORTS) so it
 * needs no SNMPv2 base modules.
 */
const MIB = `ENVIROWATCH-TEST-MIB DEFINITIONS ::= BEGIN
sensorObjects OBJECT IDENTIFIER ::= { iso 3 6 1 4 1 21600 1 5 1 }
sensorTable OBJECT-TYPE SYNTAX SEQUENCE OF SensorEntry MAX-ACCESS not-accessible STATUS current
  DESCRIPTION "The original sensor table." ::= { sensorObjects 1 }
sensorEntry OBJECT-TYPE SYNTAX SensorEntry MAX-ACCESS not-accessible STATUS current
  DESCRIPTION "One sensor." INDEX { sensorIndex } ::= { sensorTable 1 }
SensorEntry ::= SEQUENCE { sensorIndex INTEGER, sensorType OCTET STRING, sensorValue INTEGER }
sensorIndex OBJECT-TYPE SYNTAX INTEGER MAX-ACCESS read-only STATUS current DESCRIPTION "Row." ::= { sensorEntry 1 }
sensorType OBJECT-TYPE SYNTAX OCTET STRING MAX-ACCESS read-only STATUS current DESCRIPTION "Name." ::= { sensorEntry 2 }
sensorValue OBJECT-TYPE SYNTAX INTEGER MAX-ACCESS read-only STATUS current DESCRIPTION "Value." ::= { sensorEntry 3 }
END
`;

/** Writes the MIB to a temporary directory; returns the `-M dir -m module` options for the tools. */
export function testMibOptions(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'envirowatch-mib-'));
  writeFileSync(join(dir, 'ENVIROWATCH-TEST-MIB.txt'), MIB);
  return ['-M', dir, '-m', 'ENVIROWATCH-TEST-MIB'];
}
