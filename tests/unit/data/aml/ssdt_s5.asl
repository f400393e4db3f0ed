/* An SSDT that holds \_S5 (after an External and a Scope with a
 * device), as some firmware does. Expect 5, 5. */
DefinitionBlock ("", "SSDT", 2, "KESTRL", "SSDTS5", 1)
{
    External (\_SB.PCI0, DeviceObj)
    Scope (\_SB.PCI0)
    {
        Device (GFX0)
        {
            Name (_ADR, 0x00020000)
        }
    }
    Name (\_S5, Package () { 0x05, 0x05, Zero, Zero })
}
