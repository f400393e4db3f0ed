/* ZeroOp and OneOp as the values, and OnesOp, in a package of 3.
 * Expect 0, 1. */
DefinitionBlock ("", "DSDT", 2, "KESTRL", "S5ZO", 1)
{
    Name (_S5, Package (0x03) { Zero, One, Ones })
}
