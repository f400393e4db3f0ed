/* _S5 as a Method returning a package. Expect 5, 5. */
DefinitionBlock ("", "DSDT", 2, "KESTRL", "S5METH", 1)
{
    Method (_S5, 0, NotSerialized)
    {
        Return (Package () { 0x05, 0x05, Zero, Zero })
    }
}
