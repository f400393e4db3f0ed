/* \_S5 declared inside Scope (\), after \_SB._S5 (a Name _S5 inside
 * Scope (\_SB) is not the root's) and a device holding one. Expect 7, 7. */
DefinitionBlock ("", "DSDT", 2, "KESTRL", "S5SCOPE", 1)
{
    Scope (\_SB)
    {
        Name (_S5, Package () { 0x01, 0x01 })
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A08"))
            Name (_S5, Package () { 0x03, 0x03 })
        }
    }
    Scope (\)
    {
        Name (_S5, Package (0x04) { 0x07, 0x07, Zero, Zero })
    }
}
