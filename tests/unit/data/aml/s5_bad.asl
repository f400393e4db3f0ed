/* \_S5 that is not a package: refused (BAD), not misread. */
DefinitionBlock ("", "DSDT", 2, "KESTRL", "S5BAD", 1)
{
    Name (_S5, 0x05)
}
