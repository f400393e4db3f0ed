/* A one-element package: ACPICA takes SLP_TYPa from the low byte and
 * SLP_TYPb from the next. Expect 4, 3. */
DefinitionBlock ("", "DSDT", 2, "KESTRL", "S5ONE", 1)
{
    Name (_S5, Package () { 0x0304 })
}
