/* \_S5 declared with a root prefix inside Scope (\_SB), where some
 * firmware puts it. Expect 3, 4. */
DefinitionBlock ("", "DSDT", 2, "KESTRL", "S5SBRT", 1)
{
    Scope (\_SB)
    {
        Name (\_S5, Package (0x04) { 0x03, 0x04, Zero, Zero })
    }
}
