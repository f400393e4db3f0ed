/* \_S5 at the root of a DSDT, after decoys a byte scan would take:
 * "_S5_" inside a buffer (followed by a PackageOp), inside a string,
 * and as the name of a Method's local Name. Expect 5, 5. */
DefinitionBlock ("", "DSDT", 2, "KESTRL", "S5ROOT", 1)
{
    Name (DEC0, Buffer () { 0x08, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x06, 0x04, 0x0A, 0x01, 0x0A, 0x01 })
    Name (DEC1, "_S5_ is not here")
    Method (DEC2, 0, NotSerialized)
    {
        Name (_S5, Package () { 0x02, 0x02 })
        Return (DerefOf (Index (_S5, Zero)))
    }
    Name (_S5, Package () { 0x05, 0x05, Zero, Zero })
}
