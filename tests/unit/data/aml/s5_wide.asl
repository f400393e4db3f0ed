/* WordConst and DWordConst values: SLP_TYP is their low byte (ACPICA
 * casts to u8). Expect 5, 6. */
DefinitionBlock ("", "DSDT", 2, "KESTRL", "S5WIDE", 1)
{
    Name (_S5, Package () { 0x0305, 0x00070006 })
}
